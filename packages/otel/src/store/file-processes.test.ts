// The file store as several processes of one host use it: real child
// processes on one state directory. The children run test-workers/*.mjs,
// which import the build (packages/otel/dist/store/file.js) because plain
// node cannot load the .ts source: `npm test` builds first; after editing
// the store, run `npm run build` before running these tests alone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ledgerEntriesOf } from '../ledger/reader.js';
import { loadSqlite } from './file-sqlite.js';
import { FileStore } from './file.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const built = fileURLToPath(new URL('../../dist/store/', import.meta.url));
const node22 = fileURLToPath(new URL('../../../../node_modules/node22/bin/node', import.meta.url));

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  for (const source of readdirSync(here).filter((name) => /^file[\w-]*\.ts$/.test(name) && !name.endsWith('.test.ts'))) {
    const output = join(built, source.replace(/\.ts$/, '.js'));
    if (!existsSync(output) || statSync(output).mtimeMs < statSync(join(here, source)).mtimeMs) {
      throw new Error(`${output} is missing or older than its source: run \`npm run build\` first (these tests spawn processes that import the build)`);
    }
  }
});

describe('FileStore across processes', () => {
  it('never reserves past a limit, whatever the concurrency: 4 processes × 250 reservations against a limit of 300', async () => {
    const dir = tempDir();
    const racers = Array.from({ length: 4 }, () => worker('reserve-race.mjs', [dir, '250', '300']));
    for (const racer of racers) expect(await racer.line()).toBe('ready');
    for (const racer of racers) racer.child.stdin?.write('go\n');
    const ids = (await Promise.all(racers.map(async (racer) => JSON.parse(await racer.line()) as string[]))).flat();

    expect(ids).toHaveLength(300);
    expect(new Set(ids).size).toBe(300);
    const store = new FileStore(dir);
    const now = Date.now();
    expect(store.read(['race'], now)).toEqual({ spent: 0, reserved: 300 });
    for (const id of ids) store.commit(id, [{ counter: 'race', amount: 0.5, expiresAt: now + 86_400_000 }], now);
    expect(store.read(['race'], now)).toEqual({ spent: 150, reserved: 0 });
    store.close();
  }, 30_000);

  it('stays consistent, and leaves no torn ledger line, when processes are killed with SIGKILL in the middle of anything', async () => {
    const dir = tempDir();
    const leaseMillis = 60_000;
    const target = 120;
    let kills = 0;
    /** Kills of a process that had written at least one ledger line: each left one line or more. */
    let writerKills = 0;
    const slot = async (): Promise<void> => {
      while (kills < target) {
        const chaos = worker('chaos.mjs', [dir, String(leaseMillis)]);
        // Now and then during start-up (opening, creating the schema), else in the middle of the loop.
        if (Math.random() < 0.25) await sleep(Math.random() * 40);
        else {
          expect(await chaos.line()).toBe('ready');
          expect(await chaos.line()).toBe('wrote');
          writerKills++;
          await sleep(Math.random() * 60);
        }
        kills++;
        chaos.child.kill('SIGKILL');
        await chaos.exited;
      }
    };
    await Promise.all([slot(), slot(), slot(), slot()]);
    expect(kills).toBeGreaterThanOrEqual(100);

    const ledger = readdirSync(dir)
      .filter((name) => name.startsWith('ledger-'))
      .map((name) => readFileSync(join(dir, name), 'utf8'))
      .join('');
    expect(ledger.endsWith('\n')).toBe(true);
    const lines = ledger.slice(0, -1).split('\n');
    // A kill may cut a write at a page boundary; the next process's line then follows the cut piece. Each line holds
    // whole entries, after at most such pieces: none is lost to a cut, and there are no more cuts than kills.
    const entries = lines.map((line) => ledgerEntriesOf(line));
    for (const found of entries) expect(found.length).toBeGreaterThan(0);
    for (const entry of entries.flat()) expect(entry).toMatchObject({ provider: 'openai', cost_usd: 0.0000468 });
    const cuts = lines.filter((line) => !line.endsWith('}') || line.lastIndexOf('{"time":"') > 0).length;
    expect(cuts).toBeLessThanOrEqual(kills);
    expect(entries.flat().length).toBeGreaterThanOrEqual(writerKills);
    expect(writerKills).toBeGreaterThan(0);

    const path = join(dir, 'state.sqlite');
    expect(query(path, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const raw = readFileSync(join(dir, 'audit.jsonl'), 'utf8').split('\n');
    expect(raw.pop()).toBe('');
    for (const line of raw) expect(() => JSON.parse(line)).not.toThrow();

    // Opening cuts off an audit line whose transaction a kill cut short.
    const store = new FileStore(dir);
    const audit = await store.audit();
    expect(audit.length).toBeGreaterThan(0);
    expect((await store.gate()).tripped).toBe(audit.at(-1)?.action === 'trip');
    // Each entry's wasTripped is the state the previous entry left: no committed change is missing, none extra.
    const broken = audit.findIndex((entry, i) => entry.wasTripped !== (i > 0 && audit[i - 1]?.action === 'trip'));
    expect(broken, `audit chain broken at entry ${broken} of ${audit.length}: ${JSON.stringify(audit.slice(Math.max(0, broken - 2), broken + 2))}`).toBe(-1);
    expect(readFileSync(join(dir, 'audit.jsonl'), 'utf8').split('\n').length - 1).toBe(audit.length);
    expect(reservedByCounter(path)).toEqual(heldByCounter(path));
    const left = query(path, 'SELECT count(*) AS n FROM reservations')[0]?.n;
    console.log(
      `SIGKILL test: ${kills} kills (${writerKills} of writing processes), ${entries.flat().length} ledger entries whole (${cuts} writes cut), ${audit.length} gate changes audited (${raw.length - audit.length} uncommitted cut off), ${left} reservations left to expire`,
    );

    store.commit('none', [], Date.now() + leaseMillis + 1);
    expect(Object.values(reservedByCounter(path)).every((reserved) => reserved === 0)).toBe(true);
    store.close();
  }, 60_000);

  it('gives back what a killed process held once its lease runs out', async () => {
    const dir = tempDir();
    const holder = worker('hold-lease.mjs', [dir, '500']);
    const { ok, now } = JSON.parse(await holder.line()) as { ok: boolean; now: number };
    expect(ok).toBe(true);
    holder.child.kill('SIGKILL');
    await holder.exited;

    const store = new FileStore(dir);
    const entry = { counter: 'lease', window: ['lease'], amount: 9, limit: 10, expiresAt: now + 3_600_000 };
    expect(store.reserve([entry], 500, now + 499)).toEqual({ ok: false, index: 0, spent: 9 });
    expect((await store.reserve([entry], 500, now + 500)).ok).toBe(true);
    expect(store.read(['lease'], now + 500)).toEqual({ spent: 0, reserved: 9 });
    store.close();
  }, 30_000);

  it("tells every process of another process's gate changes, each one", async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    const watcher = worker('watch-gate.mjs', [dir]);
    expect(await watcher.line()).toBe('ready');
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      for (const action of ['trip', 'reset'] as const) {
        // At a random phase of the watcher's poll: right after it reported the last change would always be the worst case.
        await sleep(Math.random() * 50);
        store.changeGate({ action, reason: `${action} ${i}`, actor: 'alice' }, Date.now());
        const changed = performance.timeOrigin + performance.now();
        const heard = JSON.parse(await watcher.line()) as { tripped: boolean; reason: string; at: number };
        expect(heard).toMatchObject({ tripped: action === 'trip', reason: `${action} ${i}` });
        latencies.push(heard.at - changed);
      }
    }
    watcher.child.stdin?.end();
    store.close();
    latencies.sort((a, b) => a - b);
    const at = (p: number): string => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
    console.log(`gate propagation over ${latencies.length} changes (poll 50 ms): p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
  }, 30_000);

  it.skipIf(!existsSync(node22))('prints no SQLite ExperimentalWarning into the app’s stderr on Node 22', () => {
    const dir = tempDir();
    const bare = spawnSync(node22, ['-e', "process.getBuiltinModule('node:sqlite')"], { encoding: 'utf8' });
    expect(bare.stderr).toMatch(/ExperimentalWarning: SQLite/);
    const app = spawnSync(node22, [join(here, 'test-workers/open-store.mjs'), dir], { encoding: 'utf8' });
    expect(app.stdout.trim()).toBe('true');
    expect(app.stderr).toBe('');
  });
});

interface Worker {
  child: ChildProcess;
  /** The next line it prints; rejects if it exits first. */
  line(): Promise<string>;
  exited: Promise<void>;
}

function worker(script: string, args: readonly string[]): Worker {
  const child = spawn(process.execPath, [join(here, 'test-workers', script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: string[] = [];
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  let ended = false;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter === undefined) lines.push(line);
    else waiter.resolve(line);
  });
  const exited = new Promise<void>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      for (const waiter of waiting.splice(0)) waiter.reject(new Error(`${script} exited (${code ?? signal}) before printing a line: ${stderr}`));
      resolve();
    }),
  );
  return {
    child,
    exited,
    line: () => {
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (ended) return Promise.reject(new Error(`${script} exited before printing a line: ${stderr}`));
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}

function query(path: string, sql: string): Record<string, unknown>[] {
  const db = new (loadSqlite().DatabaseSync)(path);
  try {
    return db
      .prepare(sql)
      .all()
      .map((row) => ({ ...row }));
  } finally {
    db.close();
  }
}

function reservedByCounter(path: string): Record<string, number> {
  return Object.fromEntries(query(path, 'SELECT key, reserved FROM counters ORDER BY key').map((row) => [row.key, row.reserved]));
}

/** What the live reservations hold, counter by counter (0 for a counter none holds). */
function heldByCounter(path: string): Record<string, number> {
  const held: Record<string, number> = {};
  for (const key of Object.keys(reservedByCounter(path))) held[key] = 0;
  const sql = 'SELECT entry.value ->> 0 AS counter, total(entry.value ->> 1) AS amount FROM reservations, json_each(reservations.entries) AS entry GROUP BY 1';
  for (const row of query(path, sql)) held[String(row.counter)] = Number(row.amount);
  return held;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'costctl-file-processes-'));
  dirs.push(dir);
  return dir;
}

function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}
