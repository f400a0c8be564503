import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory.js';
import type { CounterEntry } from './types.js';

const day = (amount: number, limit?: number): CounterEntry => ({
  counter: 'daily|day:2026-11-23',
  window: ['daily|day:2026-11-23'],
  amount,
  limit,
  expiresAt: Date.UTC(2026, 10, 24),
});
const now = Date.UTC(2026, 10, 23, 12);

describe('MemoryStore', () => {
  it('reserves until the limit, counting reserved and committed spend', () => {
    const store = new MemoryStore();
    const first = store.reserve([day(4, 10)], 60_000, now);
    const second = store.reserve([day(4, 10)], 60_000, now);
    expect(first.ok && second.ok).toBe(true);
    expect(store.reserve([day(4, 10)], 60_000, now)).toEqual({ ok: false, index: 0, spent: 8 });
    expect(store.read(day(0).window, now)).toEqual({ spent: 0, reserved: 8 });
  });

  it('replaces a reservation by the real cost on commit, and frees it on release', () => {
    const store = new MemoryStore();
    const a = store.reserve([day(4, 10)], 60_000, now);
    const b = store.reserve([day(4, 10)], 60_000, now);
    if (!a.ok || !b.ok) throw new Error('expected reservations');
    store.commit(a.id, [1.5], now);
    store.release(b.id);
    expect(store.read(day(0).window, now)).toEqual({ spent: 1.5, reserved: 0 });
    store.commit(a.id, [99], now);
    expect(store.read(day(0).window, now).spent).toBe(1.5);
  });

  it('reserves all entries or none', () => {
    const store = new MemoryStore();
    const other: CounterEntry = { ...day(5, 5), counter: 'hourly|h', window: ['hourly|h'] };
    expect(store.reserve([day(5, 10), { ...other, amount: 6 }], 60_000, now)).toEqual({ ok: false, index: 1, spent: 0 });
    expect(store.read(day(0).window, now).reserved).toBe(0);
    expect(store.reserve([day(5, 10), other], 60_000, now).ok).toBe(true);
  });

  it('never blocks on an entry without a limit (alert-only rules) but still counts it', () => {
    const store = new MemoryStore();
    expect(store.reserve([day(1000)], 60_000, now).ok).toBe(true);
    expect(store.read(day(0).window, now).reserved).toBe(1000);
  });

  it('lets a reservation that was never settled expire after its lease', () => {
    const store = new MemoryStore();
    store.reserve([day(9, 10)], 1_000, now);
    expect(store.reserve([day(9, 10)], 1_000, now + 999).ok).toBe(false);
    expect(store.reserve([day(9, 10)], 1_000, now + 1_000).ok).toBe(true);
    expect(store.read(day(0).window, now + 1_000).reserved).toBe(9);
  });

  it('sums a window over several counters and skips the ones past their window', () => {
    const store = new MemoryStore();
    const bucket = (i: number, amount: number): CounterEntry => ({ counter: `r|${i}`, window: [`r|${i}`], amount, limit: undefined, expiresAt: now + i * 1000 });
    for (const i of [1, 2, 3]) {
      const reservation = store.reserve([bucket(i, i)], 60_000, now);
      if (reservation.ok) store.commit(reservation.id, [i * 10], now);
    }
    expect(store.read(['r|1', 'r|2', 'r|3'], now).spent).toBe(60);
    expect(store.read(['r|1', 'r|2', 'r|3'], now + 1_500).spent).toBe(50);
  });

  it('trips and resets the gate, tells listeners, and audits every change', () => {
    const store = new MemoryStore();
    const seen: boolean[] = [];
    store.onGateChange((state) => seen.push(state.tripped));
    store.changeGate({ action: 'trip', reason: 'retry storm', actor: 'alice' }, now);
    expect(store.gate()).toMatchObject({ tripped: true, reason: 'retry storm', actor: 'alice', since: now });
    store.changeGate({ action: 'reset', reason: 'fixed the loop', actor: 'bob' }, now + 1);
    expect(seen).toEqual([true, false]);
    expect(store.audit()).toMatchObject([
      { action: 'trip', reason: 'retry storm', actor: 'alice', pid: process.pid, wasTripped: false, time: new Date(now).toISOString() },
      { action: 'reset', reason: 'fixed the loop', actor: 'bob', wasTripped: true },
    ]);
  });
});
