// Commands and APIs that cannot use the store fail loudly: a change the
// store did not confirm is never reported as done. Real Redis, real CLI
// processes, and a state directory made read-only or full by real mounts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCostctlError, openState, start } from '@costctl/otel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fill, fullDisk, inOwnMounts, readOnly } from './helpers/own-mounts.js';
import { startRedis, type RedisServer } from './helpers/redis-server.js';
import { repoRoot } from './helpers/run-app.js';

const cli = join(repoRoot, 'packages/cli/dist/main.js');
const STORE_UNAVAILABLE = 5;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function costctl(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: tmpdir(), encoding: 'utf8', env: { PATH: process.env.PATH ?? '', USER: 'ci', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** One line on stderr, nothing else: what did not happen, why, what to do. */
function oneLine(stderr: string): string {
  const lines = stderr.split('\n');
  expect(lines, stderr).toHaveLength(2);
  expect(lines[1]).toBe('');
  return lines[0]!;
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'costctl-unavailable-'));

describe('with the Redis store down', () => {
  let redis: RedisServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await startRedis({ password: 'hunter2' });
    env = {
      COSTCTL_STORE: 'redis',
      COSTCTL_REDIS_URL: redis.url,
      COSTCTL_REDIS_KEY_PREFIX: 'down:',
      COSTCTL_STATE_DIR: tempDir(),
      COSTCTL_DAILY_LIMIT_USD: '5',
    };
    expect(costctl(['gate', 'trip', '--reason', 'before the outage'], env).code).toBe(0);
    await redis.kill();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it.each([
    [
      'gate trip',
      ['gate', 'trip', '--reason', 'runaway loop'],
      /^costctl: the gate was NOT tripped: the Redis store at redis:\/\/127\.0\.0\.1:\d+ did not answer \(.*ECONNREFUSED.*\); check that Redis is running/,
    ],
    ['gate reset', ['gate', 'reset', '--reason', 'fixed'], /^costctl: the gate was NOT reset: the Redis store at redis:\/\/127\.0\.0\.1:\d+ did not answer/],
    ['gate status', ['gate', 'status'], /^costctl: could not read the gate: the Redis store at redis:\/\/127\.0\.0\.1:\d+ did not answer/],
    ['status', ['status'], /^costctl: could not read the gate: the Redis store at redis:\/\/127\.0\.0\.1:\d+ did not answer/],
  ])('%s exits 5 with one line naming the URL without its password, and prints nothing as done', (_, args, line) => {
    const result = costctl(args, env);
    expect(result.code).toBe(STORE_UNAVAILABLE);
    expect(oneLine(result.stderr)).toMatch(line);
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stdout).toBe('');
  });

  it('status fails loudly with onUnreachable: open too, instead of printing "gate: open"', () => {
    const result = costctl(['status'], { ...env, COSTCTL_ON_STORE_UNREACHABLE: 'open' });
    expect(result.code).toBe(STORE_UNAVAILABLE);
    expect(oneLine(result.stderr)).toMatch(/^costctl: could not read the gate: the Redis store at redis:\/\/127\.0\.0\.1:\d+ did not answer/);
    expect(result.stdout).not.toContain('gate: open');
  });

  it('the API trip() and reset() reject with COSTCTL_STORE_UNAVAILABLE, from openState and from start()', async () => {
    const state = await openState({ env, logger: quiet });
    try {
      for (const change of [() => state.gate.trip({ reason: 'r' }), () => state.gate.reset({ reason: 'r' })]) {
        const error: unknown = await change().then(
          () => undefined,
          (rejected: unknown) => rejected,
        );
        expect(isCostctlError(error) && error.code).toBe('COSTCTL_STORE_UNAVAILABLE');
        expect(error).toMatchObject({ where: expect.stringMatching(/^redis:\/\/127\.0\.0\.1:\d+$/) });
      }
      await expect(state.gate.state()).rejects.toMatchObject({ code: 'COSTCTL_STORE_UNAVAILABLE' });
    } finally {
      await state.close();
    }

    const costctlInApp = start({ env: { ...env, OTEL_METRICS_EXPORTER: 'none', COSTCTL_LEDGER: 'false' }, logger: quiet });
    try {
      await expect(costctlInApp.gate.trip({ reason: 'from the app' })).rejects.toMatchObject({
        code: 'COSTCTL_STORE_UNAVAILABLE',
        message: expect.stringMatching(/^the gate was NOT tripped/),
      });
      await expect(costctlInApp.gate.reset({ reason: 'from the app' })).rejects.toMatchObject({ code: 'COSTCTL_STORE_UNAVAILABLE' });
      // The app reads the gate through the same API as the operator: the fail-closed stand-in is no stored state.
      await expect(costctlInApp.gate.state()).rejects.toMatchObject({
        code: 'COSTCTL_STORE_UNAVAILABLE',
        message: expect.stringMatching(/^could not read the gate: the Redis store at/),
      });
    } finally {
      await costctlInApp.shutdown();
    }
  });

  it('gate status reads the stored gate again once Redis is back', async () => {
    await redis.restart();
    // Restarted without persistence, Redis holds no gate: open, and no stand-in for the outage.
    const after = costctl(['gate', 'status', '--json'], env);
    expect(after).toMatchObject({ code: 0 });
    expect(JSON.parse(after.stdout)).toMatchObject({ tripped: false });
    await redis.kill();
  });
});

describe('a disabled costctl', () => {
  it('rejects gate changes with COSTCTL_DISABLED', async () => {
    const disabled = start({ env: { COSTCTL_DISABLED: 'true' } });
    try {
      expect(await disabled.gate.state()).toMatchObject({ tripped: false });
      await expect(disabled.gate.trip({ reason: 'r' })).rejects.toMatchObject({
        code: 'COSTCTL_DISABLED',
        message: expect.stringMatching(/^the gate was NOT changed: costctl is disabled/),
      });
      const error: unknown = await disabled.gate.reset({ reason: 'r' }).catch((rejected: unknown) => rejected);
      expect(isCostctlError(error)).toBe(true);
    } finally {
      await disabled.shutdown();
    }
  });
});

describe('with the file store on a read-only or full state directory', () => {
  it('a read-only directory: reset and status exit 5 naming the directory; the gate and its audit log stay as they were', async () => {
    const dir = tempDir();
    const env = { COSTCTL_STATE_DIR: dir };
    expect(costctl(['gate', 'trip', '--reason', 'runaway loop', '--actor', 'alice'], env).code).toBe(0);

    for (const args of [['gate', 'reset', '--reason', 'fixed'], ['gate', 'trip', '--reason', 'again'], ['status']]) {
      const result = await inOwnMounts(`${readOnly(dir)}\nexec "$@"`, [process.execPath, cli, ...args], env);
      expect(result.code).toBe(STORE_UNAVAILABLE);
      expect(oneLine(result.stderr)).toMatch(
        new RegExp(`^costctl: (the gate was NOT (reset|tripped)|could not read the gate): the state directory ${dir} is read-only \\(.*\\); make it writable`),
      );
      expect(result.stdout).toBe('');
    }

    const gate = costctl(['gate', 'status', '--json'], env);
    expect(gate.code).toBe(3);
    expect(JSON.parse(gate.stdout)).toMatchObject({ tripped: true, actor: 'alice', reason: 'runaway loop' });
    expect(readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('a full disk: trip and status exit 5 saying the disk is full', async () => {
    const dir = tempDir();
    for (const args of [['gate', 'trip', '--reason', 'runaway loop'], ['status']]) {
      const result = await inOwnMounts(`${fullDisk(dir)}\nexec "$@"`, [process.execPath, cli, ...args], { COSTCTL_STATE_DIR: dir });
      expect(result.code).toBe(STORE_UNAVAILABLE);
      expect(oneLine(result.stderr)).toMatch(
        new RegExp(`^costctl: (the gate was NOT tripped|could not read the gate): the disk holding ${dir} is full \\(.*\\); free space there, then retry`),
      );
    }
  });

  it('a disk that fills while the store is open: trip() rejects, and the audit log holds only the changes that happened', async () => {
    const dir = tempDir();
    const env = { COSTCTL_STATE_DIR: dir, FILL: fill(dir) };
    const script = [
      `mount -t tmpfs -o size=1m tmpfs '${dir}'`,
      // The gate once tripped and reset while there was room: two changes that happened.
      `"$1" "$2" gate trip --reason first --actor bob && "$1" "$2" gate reset --reason second --actor bob`,
      `"$1" '${join(repoRoot, 'test/apps/trip-when-full.mjs')}'`,
      `rm '${dir}/.fill'`,
      `"$1" "$2" gate status --json || true`,
      `cat '${dir}/audit.jsonl'`,
    ].join('\n');
    const result = await inOwnMounts(script, [process.execPath, cli], env);
    expect(result.code).toBe(0);
    const [, , tripped, gate, ...audit] = result.stdout.trim().split('\n');
    expect(JSON.parse(tripped!)).toEqual({
      rejected: {
        name: 'CostctlStoreError',
        code: 'COSTCTL_STORE_UNAVAILABLE',
        where: dir,
        message: expect.stringMatching(new RegExp(`^the gate was NOT tripped: the disk holding ${dir} is full`)),
      },
    });
    expect(JSON.parse(gate!)).toMatchObject({ tripped: false, reason: 'second' });
    expect(audit.map((line) => (JSON.parse(line) as { reason: string }).reason)).toEqual(['first', 'second']);
  });
});
