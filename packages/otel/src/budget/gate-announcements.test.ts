import { describe, expect, it } from 'vitest';
import { Gate } from '../gate/gate.js';
import { MemoryStore } from '../store/memory.js';
import { AlertDispatcher, type CostctlAlert } from './alerts.js';
import { announceGateChanges } from './gate-announcements.js';

/** One process's gate on a shared store, announcing into `alerts`. */
function processOn(store: MemoryStore, alerts: CostctlAlert[]): Gate {
  const gate = new Gate(store, store.gate());
  announceGateChanges(gate, store, new AlertDispatcher({ onAlert: (alert) => alerts.push(alert) }));
  return gate;
}

/** Lets the announcements' store operations finish. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('announceGateChanges', () => {
  it('announces a trip and a reset once, however many processes hear them', async () => {
    const store = new MemoryStore();
    const alerts: CostctlAlert[] = [];
    const [a] = [processOn(store, alerts), processOn(store, alerts), processOn(store, alerts)];
    await a!.trip({ reason: 'runaway agent', actor: 'alice' });
    await settle();
    await store.changeGate({ action: 'reset', reason: 'fixed', actor: 'bob' }, Date.now());
    await settle();
    expect(alerts).toMatchObject([
      { kind: 'gate', change: 'trip', tripped: true, actor: 'alice', reason: 'runaway agent' },
      { kind: 'gate', change: 'reset', tripped: false, actor: 'bob', reason: 'fixed' },
    ]);
    expect(alerts).toHaveLength(2);
  });

  it('announces a process starting on a store it cannot use as failing closed', async () => {
    const store = new MemoryStore();
    const alerts: CostctlAlert[] = [];
    await store.changeGate({ action: 'trip', reason: 'costctl state unreadable: disk gone', actor: 'costctl' }, Date.now());
    processOn(store, alerts);
    expect(alerts).toMatchObject([{ kind: 'gate', change: 'fail_closed', tripped: true, actor: 'costctl' }]);
  });
});
