import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { Gate } from '../gate/gate.js';
import { logger as defaultLogger, setLogger } from '../model/logger.js';
import { loadSqlite } from './file-sqlite.js';
import { FileStore, type FileStoreOptions } from './file.js';
import type { GateState } from './types.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  setLogger(defaultLogger);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'costctl-file-open-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Another process creating the state file: a second connection holding it under an exclusive lock. */
function lockState(dir: string): DatabaseSync {
  const db = new (loadSqlite().DatabaseSync)(join(dir, 'state.sqlite'));
  db.exec('BEGIN EXCLUSIVE');
  cleanups.push(() => db.isOpen && db.close());
  return db;
}

function unlock(db: DatabaseSync): void {
  db.exec('COMMIT');
  db.close();
}

/** A store and the gate of an app on it, as start() wires them, with every gate change and log line it heard. */
function openApp(dir: string, options: FileStoreOptions = {}) {
  const logged: string[] = [];
  const log = (level: string) => (message: string) => void logged.push(`${level}: ${message}`);
  setLogger({ debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') });
  const store = new FileStore(dir, { pollMillis: 10, ...options });
  const gate = new Gate(store, store.gate());
  const changes: GateState[] = [];
  gate.onChange((state) => changes.push(state));
  cleanups.push(() => (gate.close(), store.close()));
  return { store, gate, changes, logged };
}

describe('FileStore opening a state file another process holds locked', () => {
  // Regression: two processes creating state.sqlite together started one on the fail-closed stand-in ("fix or move it"), recovering at its next poll.
  it('waits for the lock, with the gate pending, and never fails closed', async () => {
    const dir = tempDir();
    const holder = lockState(dir);
    const app = openApp(dir);
    expect(app.gate.ready).toBeInstanceOf(Promise);
    setTimeout(() => unlock(holder), 200);
    await app.gate.ready;
    expect(app.gate.state()).toMatchObject({ tripped: false, actor: undefined });
    expect(app.store.reachable()).toBe(true);
    const reserved = app.store.reserve([{ counter: 'd', window: ['d'], amount: 1, limit: 10, expiresAt: Date.now() + 60_000 }], 60_000, Date.now());
    expect(reserved).toMatchObject({ ok: true });
    expect(app.changes).toEqual([]);
    expect(app.logged.filter((line) => !line.startsWith('debug'))).toEqual([]);
  });

  it('opens at once with a gate tripped before it started, telling no listener of a change', async () => {
    const dir = tempDir();
    const first = new FileStore(dir);
    await first.changeGate({ action: 'trip', reason: 'runaway agent', actor: 'alice' }, Date.now());
    first.close();
    const holder = new (loadSqlite().DatabaseSync)(join(dir, 'state.sqlite'));
    holder.exec('BEGIN EXCLUSIVE');
    cleanups.push(() => holder.isOpen && holder.close());
    const app = openApp(dir);
    setTimeout(() => unlock(holder), 100);
    await app.gate.ready;
    expect(app.gate.state()).toMatchObject({ tripped: true, actor: 'alice', reason: 'runaway agent' });
    expect(app.changes).toEqual([]);
  });

  it('fails closed once the lock is held past its wait, saying which process to look for, and recovers when it is let go', async () => {
    const dir = tempDir();
    const holder = lockState(dir);
    // Longer than the first, synchronous attempt takes on a loaded machine: the wait ends after the store was built.
    const app = openApp(dir, { openWaitMillis: 1_000 });
    await app.gate.ready;
    const path = join(dir, 'state.sqlite');
    expect(app.gate.state()).toMatchObject({ tripped: true, actor: 'costctl', reason: expect.stringMatching(/^costctl state file locked/) });
    expect(app.logged).toEqual([
      expect.stringMatching(
        new RegExp(`^error: costctl could not open its state file ${path}: another process has held it locked for \\d+ ms .*find it with \`fuser ${path}\``),
      ),
    ]);
    expect(app.logged[0]).not.toMatch(/fix or move it/);
    expect(() => app.store.read(['d'], Date.now())).toThrow(/locked by another process/);
    unlock(holder);
    await until(() => !app.gate.isTripped());
    expect(app.changes.map(({ tripped, actor }) => ({ tripped, actor }))).toEqual([
      { tripped: true, actor: 'costctl' },
      { tripped: false, actor: undefined },
    ]);
  });

  it('reopens a state file replaced under it once the process creating the new one lets go of its lock, never failing closed', async () => {
    const dir = tempDir();
    const app = openApp(dir);
    const path = join(dir, 'state.sqlite');
    await until(() => app.logged.length === 0 && app.store.reachable());
    // Another process moves the file aside and creates a new one, holding it locked meanwhile.
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    const holder = lockState(dir);
    await until(() => !app.store.reachable());
    setTimeout(() => unlock(holder), 200);
    await until(() => app.store.reachable());
    expect(app.gate.state()).toMatchObject({ tripped: false });
    expect(app.changes).toEqual([]);
    expect(app.logged).toEqual([expect.stringMatching(/^warn: costctl reopened its state file .*: the file was replaced$/)]);
  });

  it('still fails closed at once on a file that is no database, saying to fix or move it', async () => {
    const dir = tempDir();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'state.sqlite'), Buffer.alloc(4096, 'not a database '));
    const app = openApp(dir);
    expect(app.gate.ready).toBeUndefined();
    expect(app.gate.state()).toMatchObject({ tripped: true, actor: 'costctl' });
    expect(app.logged).toEqual([expect.stringMatching(/^error: .*Fix or move it/)]);
  });

  it('takes only a positive wait for a locked file, with an error that names it', () => {
    expect(() => new FileStore(tempDir(), { openWaitMillis: -1 })).toThrow(/openWaitMillis must be a positive number of ms, got -1/);
  });
});

async function until(condition: () => boolean, timeoutMillis = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
