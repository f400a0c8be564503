import { describe, expect, it } from 'vitest';
import { GateListeners, sameGate } from './gate-listeners.js';
import type { GateState } from './types.js';

const tripped: GateState = { tripped: true, reason: 'runaway agent', actor: 'alice', since: 1_800_000_000_000 };
const open: GateState = { tripped: false, reason: 'fixed', actor: 'bob', since: 1_800_000_060_000 };

describe('GateListeners', () => {
  it('tells each listener each change once, in order, and nothing for a state they already heard', () => {
    const gate = new GateListeners(() => {});
    const heard: GateState[] = [];
    gate.add((state) => heard.push(state));
    gate.publish({ tripped: false, reason: undefined, actor: undefined, since: undefined });
    gate.publish(tripped);
    gate.publish({ ...tripped });
    gate.publish(open);
    expect(heard).toEqual([tripped, open]);
    expect(gate.last).toBe(open);
  });

  it('logs a listener that throws and still tells the others', () => {
    const logged: unknown[] = [];
    const gate = new GateListeners((message, fields) => logged.push([message, fields]));
    const heard: GateState[] = [];
    gate.add(() => {
      throw new Error('listener bug');
    });
    gate.add((state) => heard.push(state));
    expect(() => gate.publish(tripped)).not.toThrow();
    expect(heard).toEqual([tripped]);
    expect(logged).toEqual([['costctl gate listener threw', { error: 'listener bug' }]]);
  });

  it('stops telling a listener once removed, and every listener once cleared', () => {
    const gate = new GateListeners(() => {});
    const first: GateState[] = [];
    const second: GateState[] = [];
    const remove = gate.add((state) => first.push(state));
    gate.add((state) => second.push(state));
    remove();
    gate.publish(tripped);
    gate.clear();
    gate.publish(open);
    expect(first).toEqual([]);
    expect(second).toEqual([tripped]);
  });
});

describe('sameGate', () => {
  it('tells states apart by any field', () => {
    expect(sameGate(tripped, { ...tripped })).toBe(true);
    for (const change of [{ tripped: false }, { reason: 'other' }, { actor: 'carol' }, { since: 1 }])
      expect(sameGate(tripped, { ...tripped, ...change })).toBe(false);
  });
});
