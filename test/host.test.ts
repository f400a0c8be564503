import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costctl as runCli, startLooper as startLooperOn, stopLooper, until, type Looper } from './helpers/looper.js';

let provider: FakeProvider;

beforeAll(async () => {
  provider = await startFakeProvider();
});

afterAll(async () => {
  await provider.close();
});

const startLooper = (stateDir: string, env: Record<string, string> = {}): Looper => startLooperOn(provider.url, { COSTCTL_STATE_DIR: stateDir, ...env });
const costctl = (args: string[], stateDir: string, env: Record<string, string> = {}) => runCli(args, { COSTCTL_STATE_DIR: stateDir, ...env });
const stop = stopLooper;

describe('one host, many processes, one file store', () => {
  it('a gate tripped with the CLI blocks every process; status exits 3; a reset lets them all through again', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'costctl-host-'));
    const loopers = [startLooper(stateDir), startLooper(stateDir), startLooper(stateDir)];
    try {
      await until(() => loopers.every((looper) => looper.states.at(-1)?.state === 'ok'), 'every process to make a call');

      const tripped = costctl(['gate', 'trip', '--reason', 'retry storm', '--actor', 'alice'], stateDir);
      expect(tripped.status).toBe(0);
      const trippedAt = Date.now();
      await until(() => loopers.every((looper) => looper.states.at(-1)?.state === 'blocked:gate'), 'every process to be blocked');
      const status = costctl(['status'], stateDir);
      expect(status.status).toBe(3);
      expect(status.stdout).toMatch(/^gate: TRIPPED since .* by alice: retry storm/);

      const requestsWhileTripped = provider.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Nothing reaches the network while the gate is tripped, from any process.
      expect(provider.requests.length).toBe(requestsWhileTripped);

      expect(costctl(['gate', 'reset', '--reason', 'loop fixed', '--actor', 'bob'], stateDir).status).toBe(0);
      await until(() => loopers.every((looper) => looper.states.at(-1)?.state === 'ok'), 'every process to flow again');
      expect(costctl(['status'], stateDir).status).toBe(0);

      const audit = readFileSync(join(stateDir, 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(audit.map(({ action, actor, reason }) => ({ action, actor, reason }))).toEqual([
        { action: 'trip', actor: 'alice', reason: 'retry storm' },
        { action: 'reset', actor: 'bob', reason: 'loop fixed' },
      ]);
      const seen = loopers.map((looper) => looper.states.find((entry) => entry.state === 'blocked:gate')!.at - trippedAt);
      console.log(`gate trip seen by the ${loopers.length} processes after ${seen.map((ms) => `${ms} ms`).join(', ')} (CLI exit to first blocked call)`);
    } finally {
      await Promise.all(loopers.map(stop));
    }
  });

  it('shares one daily budget across processes: together they stop at the limit', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'costctl-host-'));
    provider.reset();
    // gpt-4o-mini, 1 input token and 24 output tokens per call: $0.00001455; 40 calls fit.
    const limit = String(40.5 * ((1 * 0.15 + 24 * 0.6) / 1e6));
    const loopers = [1, 2, 3, 4].map(() => startLooper(stateDir, { COSTCTL_DAILY_LIMIT_USD: limit, EVERY_MS: '1' }));
    try {
      await until(() => loopers.every((looper) => looper.states.at(-1)?.state === 'blocked:daily_usd'), 'every process to hit the shared limit');
      expect(provider.requests).toHaveLength(40);
      const status = JSON.parse(costctl(['status', '--json'], stateDir, { COSTCTL_DAILY_LIMIT_USD: limit }).stdout) as {
        rules: { name: string; spent: number; level: string }[];
      };
      // Spend stopped short of the limit because the rule refuses the next call: exhausted, not critical.
      expect(status.rules[0]).toMatchObject({ name: 'daily_usd', level: 'exceeded' });
      expect(status.rules[0]!.spent).toBeCloseTo(40 * ((1 * 0.15 + 24 * 0.6) / 1e6), 12);
    } finally {
      await Promise.all(loopers.map(stop));
    }
  });

  it('leaves no torn ledger line when processes are killed with SIGKILL mid-call, many times', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'costctl-host-'));
    let kills = 0;
    for (let round = 0; round < 8; round++) {
      const loopers = [startLooper(stateDir, { EVERY_MS: '0' }), startLooper(stateDir, { EVERY_MS: '0' })];
      await until(() => loopers.every((looper) => looper.states.length > 0), 'the processes to start calling');
      for (const looper of loopers) {
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 60));
        looper.child.kill('SIGKILL');
        kills += 1;
      }
      await Promise.all(
        loopers.map((looper) =>
          looper.child.exitCode === null && looper.child.signalCode === null ? new Promise((resolve) => looper.child.once('exit', resolve)) : undefined,
        ),
      );
    }
    const text = readdirSync(stateDir)
      .filter((name) => name.startsWith('ledger-'))
      .map((name) => readFileSync(join(stateDir, name), 'utf8'))
      .join('');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(kills);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(costctl(['report', '--json'], stateDir).status).toBe(0);
  });
});
