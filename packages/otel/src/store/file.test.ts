import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeSuite } from '@costctl/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSqlite } from './file-sqlite.js';
import { FileStore } from './file.js';
import { MemoryStore } from './memory.js';
import type { CostStore, CounterEntry, CounterSpend, GateState } from './types.js';
import { CostctlArgumentError, CostctlStoreError } from '../model/errors.js';
import { logger as defaultLogger, setLogger, type Logger } from '../model/logger.js';

const dirs: string[] = [];
const stores: CostStore[] = [];
const appLogger = defaultLogger;
afterEach(async () => {
  setLogger(appLogger);
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'costctl-file-store-'));
  dirs.push(dir);
  return dir;
}

function open(dir = tempDir(), pollMillis = 10): FileStore {
  const store = new FileStore(dir, { pollMillis });
  stores.push(store);
  return store;
}

const now = Date.UTC(2026, 10, 23, 12);
const day = (amount: number, limit?: number): CounterEntry => ({ counter: 'd', window: ['d'], amount, limit, expiresAt: now + 86_400_000 });

/** What settling `entries` with these real amounts commits. */
const spendOf = (entries: readonly CounterEntry[], amounts: readonly number[]): CounterSpend[] =>
  entries.map((entry, i) => ({ counter: entry.counter, amount: amounts[i] ?? 0, expiresAt: entry.expiresAt }));

describe.each([
  ['MemoryStore', (): CostStore => new MemoryStore()],
  ['FileStore', (): CostStore => new FileStore(tempDir())],
])('%s contract', (_name, create) => {
  storeSuite(it, create, { capabilities: { seed: true, aggregates: true, leases: true } });
});

describe('FileStore', () => {
  it('creates its directory for the owner only', () => {
    const dir = join(tempDir(), 'nested', '.costctl');
    open(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'state.sqlite')).isFile()).toBe(true);
  });

  it('keeps totals, reservations and the gate across a restart', () => {
    const dir = tempDir();
    const first = open(dir);
    const spent = atOnce(first.reserve([day(4, 10)], 60_000, now));
    const held = atOnce(first.reserve([day(3, 10)], 60_000, now));
    if (!spent.ok || !held.ok) throw new Error('expected reservations');
    first.commit(spent.id, spendOf([day(4)], [2.5]), now);
    first.changeGate({ action: 'trip', reason: 'runaway agent', actor: 'alice' }, now);
    first.close();

    const second = open(dir);
    expect(second.read(['d'], now)).toEqual({ spent: 2.5, reserved: 3 });
    expect(second.gate()).toEqual({ tripped: true, reason: 'runaway agent', actor: 'alice', since: now });
    expect(second.audit()).toMatchObject([{ action: 'trip', reason: 'runaway agent' }]);
    second.commit(held.id, spendOf([day(3)], [1]), now);
    expect(second.read(['d'], now)).toEqual({ spent: 3.5, reserved: 0 });
  });

  it('counts a commit after the lease ran out without letting the reservation go twice', () => {
    const store = open();
    const result = atOnce(store.reserve([day(4, 10)], 1_000, now));
    if (!result.ok) throw new Error('expected a reservation');
    store.commit(result.id, spendOf([day(4)], [4]), now + 1_000);
    expect(store.read(['d'], now + 1_000)).toEqual({ spent: 4, reserved: 0 });
  });

  it('forgets windows a day after they end, unless a live reservation still holds them', () => {
    const dir = tempDir();
    const store = open(dir);
    const old: CounterEntry = { counter: 'old', window: ['old'], amount: 1, limit: undefined, expiresAt: now };
    const kept: CounterEntry = { ...old, counter: 'kept', window: ['kept'] };
    const settled = atOnce(store.reserve([old], 60_000, now - 1));
    if (!settled.ok) throw new Error('expected a reservation');
    store.commit(settled.id, spendOf([old], [1]), now - 1);
    store.reserve([kept], 10 * 86_400_000, now - 1);
    store.close();

    open(dir).reserve([], 60_000, now + 86_400_001);
    expect(counterKeys(dir)).toEqual(['kept']);
  });

  it('reads only committed audit lines and repairs the log before the next change', () => {
    const dir = tempDir();
    const store = open(dir);
    store.changeGate({ action: 'trip', reason: 'first', actor: 'alice' }, now);
    const log = join(dir, 'audit.jsonl');
    // What a writer killed between its append and its commit leaves, then a torn line.
    appendFileSync(log, `${JSON.stringify({ time: 'x', action: 'reset', reason: 'never committed' })}\n{"time":"2026-`);
    expect(atOnce(store.audit()).map((entry) => entry.reason)).toEqual(['first']);
    store.changeGate({ action: 'reset', reason: 'second', actor: 'bob' }, now + 1);
    expect(atOnce(store.audit()).map((entry) => entry.reason)).toEqual(['first', 'second']);
    const lines = readFileSync(log, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line).reason)).toEqual(['first', 'second']);
  });

  it('tells listeners once per change of state, not once per commit of another connection', async () => {
    const dir = tempDir();
    const watcher = open(dir, 5);
    const writer = open(dir);
    const seen: GateState[] = [];
    watcher.onGateChange((state) => seen.push(state));
    for (let i = 0; i < 20; i++) writer.reserve([day(0.1)], 60_000, now);
    writer.changeGate({ action: 'trip', reason: 'x', actor: 'alice' }, now);
    await until(() => seen.length > 0);
    for (let i = 0; i < 20; i++) writer.reserve([day(0.1)], 60_000, now);
    await sleep(50);
    expect(seen).toEqual([{ tripped: true, reason: 'x', actor: 'alice', since: now }]);
  });
});

describe('FileStore fails closed', () => {
  const unreadable = { tripped: true, actor: 'costctl', reason: expect.stringMatching(/^costctl state unreadable: /) };

  it('blocks everything while the state file is garbage, and recovers once it is valid again', async () => {
    const errors = captureErrors();
    const dir = tempDir();
    const path = join(dir, 'state.sqlite');
    const good = open(dir);
    good.commit(reserveId(good, day(2, 10)), spendOf([day(2)], [2]), now);
    good.close();
    const backup = readFileSync(path);
    writeFileSync(path, garbage(backup.length));

    const store = open(dir);
    const seen: boolean[] = [];
    store.onGateChange((state) => seen.push(state.tripped));
    expect(store.gate()).toMatchObject(unreadable);
    expect(store.reserve([day(1, 10)], 60_000, now)).toEqual({ ok: false, index: 0, spent: Infinity });
    expect(store.reserve([day(1), day(1, 10)], 60_000, now)).toMatchObject({ ok: false, index: 1 });
    const unavailable = (what: string) => expect.objectContaining({ code: 'COSTCTL_STORE_UNAVAILABLE', where: dir, message: expect.stringContaining(what) });
    expect(() => store.read(['d'], now)).toThrow(unavailable('could not read budgets'));
    // A trip the file never recorded is no trip: the fail-closed state is this process's alone, and ends when the file is fixed.
    expect(() => store.changeGate({ action: 'trip', reason: 'operator', actor: 'alice' }, now)).toThrow(unavailable('the gate was NOT tripped'));
    expect(() => store.changeGate({ action: 'reset', reason: 'operator', actor: 'alice' }, now)).toThrow(unavailable('the gate was NOT reset'));
    expect(() => store.audit()).toThrow(unavailable('could not read the audit log'));
    await sleep(50);
    expect(errors.lines).toHaveLength(1);
    expect(errors.lines[0]).toContain(path);
    expect(errors.lines[0]).toMatch(/stay blocked until it is readable/);

    replaceState(path, backup);
    await until(() => seen.includes(false));
    expect(atOnce(store.gate()).tripped).toBe(false);
    expect(store.read(['d'], now)).toEqual({ spent: 2, reserved: 0 });
    expect(atOnce(store.reserve([day(1, 10)], 60_000, now)).ok).toBe(true);
  });

  it('notices garbage written over the file while it is open', async () => {
    captureErrors();
    const dir = tempDir();
    const path = join(dir, 'state.sqlite');
    // Closed first, so every page is in the main file: SQLite itself would restore the pages its WAL still holds.
    const first = open(dir);
    first.commit(reserveId(first, day(2, 10)), spendOf([day(2)], [2]), now);
    first.close();
    const backup = readFileSync(path);

    const store = open(dir);
    const seen: GateState[] = [];
    store.onGateChange((state) => seen.push(state));
    expect(atOnce(store.read(['d'], now)).spent).toBe(2);
    writeFileSync(path, garbage(backup.length));
    await until(() => seen.length > 0);
    expect(seen[0]).toMatchObject(unreadable);
    expect(store.gate()).toMatchObject(unreadable);
    expect(atOnce(store.reserve([day(1, 10)], 60_000, now)).ok).toBe(false);

    replaceState(path, backup);
    await until(() => seen.length > 1);
    expect(seen[1]?.tripped).toBe(false);
    expect(atOnce(store.read(['d'], now)).spent).toBe(2);
    expect(atOnce(store.reserve([day(1, 10)], 60_000, now)).ok).toBe(true);
  });

  it('refuses a state file a newer costctl wrote, saying to upgrade, with a coded error', () => {
    captureErrors();
    const dir = tempDir();
    open(dir).close();
    const { DatabaseSync } = loadSqlite();
    const db = new DatabaseSync(join(dir, 'state.sqlite'));
    db.exec('PRAGMA user_version = 99');
    db.close();
    const store = open(dir);
    expect(() => store.read(['d'], now)).toThrow(
      expect.objectContaining({ code: 'COSTCTL_STORE_UNAVAILABLE', message: expect.stringContaining('written by a newer costctl (schema 99') }),
    );
    expect(() => store.read(['d'], now)).toThrow(CostctlStoreError);
  });

  it('takes only a positive poll interval, with a coded error that names it', () => {
    expect(() => new FileStore(tempDir(), { pollMillis: 0 })).toThrow(CostctlArgumentError);
    expect(() => new FileStore(tempDir(), { pollMillis: Number.NaN })).toThrow(/pollMillis must be a positive number of ms, got NaN/);
  });

  it('blocks while the state file cannot even be opened', async () => {
    captureErrors();
    const dir = tempDir();
    const path = join(dir, 'state.sqlite');
    mkdirSync(path);
    const store = open(dir);
    expect(store.gate()).toMatchObject(unreadable);
    expect(atOnce(store.reserve([day(1, 10)], 60_000, now)).ok).toBe(false);
    rmSync(path, { recursive: true });
    await until(() => !atOnce(store.gate()).tripped);
    expect(atOnce(store.reserve([day(1, 10)], 60_000, now)).ok).toBe(true);
  });
});

function reserveId(store: FileStore, entry: CounterEntry): string {
  const result = atOnce(store.reserve([entry], 60_000, now));
  if (!result.ok) throw new Error(`expected a reservation, got ${JSON.stringify(result)}`);
  return result.id;
}

function counterKeys(dir: string): string[] {
  const db = new (loadSqlite().DatabaseSync)(join(dir, 'state.sqlite'));
  try {
    return db
      .prepare('SELECT key FROM counters ORDER BY key')
      .all()
      .map((row) => String(row.key));
  } finally {
    db.close();
  }
}

/** Moves the broken file away as the log line tells the operator to, with its -wal and -shm files, and puts `bytes` (or nothing) in its place. */
function replaceState(path: string, bytes: Buffer | undefined): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  if (bytes !== undefined) writeFileSync(path, bytes);
}

function garbage(length: number): Buffer {
  return Buffer.alloc(Math.max(length, 4096), 'not a database ');
}

/** Routes costctl's log lines into an array for this test. */
function captureErrors(): { lines: string[] } {
  const captured = { lines: [] as string[] };
  const ignore = (): void => {};
  const logger: Logger = { debug: ignore, info: ignore, warn: ignore, error: (message) => captured.lines.push(message) };
  setLogger(logger);
  return captured;
}

async function until(condition: () => boolean, timeoutMillis = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await sleep(5);
  }
}

function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}

/** A file store that is open answers at once: its answer, never a promise. */
function atOnce<T>(answer: T | Promise<T>): T {
  if (answer instanceof Promise) throw new Error('expected the open file store to answer at once');
  return answer;
}
