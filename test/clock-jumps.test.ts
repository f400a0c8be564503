// The host's wall clock jumps while an app runs under costctl — an NTP step,
// an operator's `date -s`, a VM resumed from a snapshot — and budget windows
// stay right. What "right" means:
//
// * Calendar windows (minute … month) follow the wall clock, as the
//   provider's bill does: forward past the zone's midnight is a new day with
//   nothing spent; back within the day is the same day, its spend kept, its
//   limit still holding; back across midnight is the day the clock shows.
// * A rolling window never goes back in time: set back, it stays where it was
//   until the clock catches up, so spend just counted is never forgotten (a
//   budget may be held longer, never overspent); forward, it slides on.
// * The ledger dates each call by the clock at the time, one file per day.
//
// The app's wall clock is really moved: Debian's libfaketime is preloaded
// into it (scripts/ensure-faketime.sh installs it), reading the time from a
// file the test rewrites; its monotonic clock is left alone, as a clock step
// leaves it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLiveApp, type LiveApp } from './helpers/live-app.mjs';
import { costctl, until } from './helpers/looper.js';
import { repoRoot } from './helpers/run-app.js';

let provider: FakeProvider;
let libfaketime: string;
const apps: LiveApp[] = [];

beforeAll(async () => {
  libfaketime = execFileSync('bash', [join(repoRoot, 'scripts/ensure-faketime.sh')], { encoding: 'utf8' }).trim();
  provider = await startFakeProvider();
});
beforeEach(() => provider.reset());
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
});
afterAll(async () => {
  await provider.close();
});

/** A wall clock for processes to read, set to UTC times the test names. */
class WallClock {
  readonly #file: string;

  constructor(dir: string, start: string) {
    this.#file = join(dir, 'clock');
    this.set(start);
  }

  /** Jumps the clock to `time` (UTC, 'YYYY-MM-DD HH:MM:SS'); it runs on from there. */
  set(time: string): void {
    // Renamed into place: libfaketime never reads a half-written time.
    writeFileSync(`${this.#file}.next`, `@${time}\n`);
    renameSync(`${this.#file}.next`, this.#file);
  }

  /** The environment that makes a process read this clock. */
  get env(): Record<string, string> {
    return { LD_PRELOAD: libfaketime, FAKETIME_TIMESTAMP_FILE: this.#file, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1', TZ: 'UTC' };
  }
}

/** An app limited to two gpt-4o-mini calls per `window`, whose wall clock starts at `start`. */
async function appWithClock(window: string, store: string, start: string) {
  const dir = mkdtempSync(join(tmpdir(), 'costctl-clock-'));
  const clock = new WallClock(dir, start);
  const config = join(dir, 'costctl.json');
  writeFileSync(config, JSON.stringify({ rules: [{ name: 'two_calls', unit: 'requests', limit: 2, window, scope: { model: 'gpt-4o-mini' } }] }));
  const env = {
    ...clock.env,
    FAKE_PROVIDER_URL: provider.url,
    COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`,
    COSTCTL_CONFIG: config,
    COSTCTL_TIMEZONE: 'UTC',
    COSTCTL_STORE: store,
    COSTCTL_STATE_DIR: join(dir, 'state'),
  };
  const app = await startLiveApp('test/apps/dashboard-traffic.mjs', { env });
  apps.push(app);
  /** One chat call: 'ok', or 'blocked:two_calls'. */
  const call = async () => ((await app.ask(['openai-chat'])) as { outcomes: string[] }).outcomes[0];
  return { clock, call, env, stateDir: env.COSTCTL_STATE_DIR };
}

/** Ledger lines by the file they are in: { '2026-11-24': ['ok', 'ok', 'blocked'], … }. */
function ledgerByDay(stateDir: string): Record<string, { outcome: string; time: string }[]> {
  const days: Record<string, { outcome: string; time: string }[]> = {};
  for (const name of readdirSync(stateDir).filter((file) => file.startsWith('ledger-'))) {
    const lines = readFileSync(join(stateDir, name), 'utf8').trim().split('\n');
    days[name.slice('ledger-'.length, 'ledger-'.length + 10)] = lines.map((line) => JSON.parse(line) as { outcome: string; time: string });
  }
  return days;
}

describe.each(['file', 'memory'])('a wall clock that jumps, %s store', (store) => {
  it('a daily window: back within the day keeps its spend and its limit; past midnight starts afresh; back across midnight is the day the clock shows', async () => {
    const { clock, call } = await appWithClock('day', store, '2026-11-24 12:00:00');
    expect([await call(), await call(), await call()]).toEqual(['ok', 'ok', 'blocked:two_calls']);

    clock.set('2026-11-24 09:00:00');
    expect(await call()).toBe('blocked:two_calls');

    clock.set('2026-11-25 00:05:00');
    expect([await call(), await call(), await call()]).toEqual(['ok', 'ok', 'blocked:two_calls']);

    clock.set('2026-11-24 23:50:00');
    expect(await call()).toBe('blocked:two_calls');
    // Every call the provider billed was one the budget let through.
    expect(provider.requests).toHaveLength(4);
  });

  it('a rolling window: set back an hour, it forgets nothing; it lets calls through again only once its 15 minutes have passed', async () => {
    const { clock, call } = await appWithClock('rolling:15m', store, '2026-11-24 12:00:00');
    expect([await call(), await call(), await call()]).toEqual(['ok', 'ok', 'blocked:two_calls']);

    clock.set('2026-11-24 11:00:00');
    expect(await call()).toBe('blocked:two_calls');

    clock.set('2026-11-24 12:10:00');
    expect(await call()).toBe('blocked:two_calls');

    clock.set('2026-11-24 12:20:00');
    expect([await call(), await call(), await call()]).toEqual(['ok', 'ok', 'blocked:two_calls']);
  });
});

describe('a wall clock that jumps, what is left on disk', () => {
  it('dates ledger lines by the clock of their call, and the CLI on the new day reads only its spend', async () => {
    const { clock, call, env, stateDir } = await appWithClock('day', 'file', '2026-11-24 23:59:00');
    expect([await call(), await call()]).toEqual(['ok', 'ok']);
    clock.set('2026-11-25 00:01:00');
    expect(await call()).toBe('ok');

    // The ledger is written off the call's path, within a commit interval of the call.
    const lines = () =>
      readdirSync(stateDir)
        .filter((file) => file.startsWith('ledger-'))
        .reduce((sum, file) => sum + readFileSync(join(stateDir, file), 'utf8').split('\n').length - 1, 0);
    await until(() => lines() >= 3, 'the three calls in the ledger');
    const days = ledgerByDay(stateDir);
    expect(Object.keys(days).sort()).toEqual(['2026-11-24', '2026-11-25']);
    expect(days['2026-11-24']!.map((line) => [line.outcome, line.time.slice(0, 16)])).toEqual([
      ['ok', '2026-11-24T23:59'],
      ['ok', '2026-11-24T23:59'],
    ]);
    expect(days['2026-11-25']!.map((line) => [line.outcome, line.time.slice(0, 16)])).toEqual([['ok', '2026-11-25T00:01']]);

    // An operator's costctl on the same host, at the same (moved) time.
    const status = costctl(['status', '--json'], env);
    expect(status.status, status.stderr).toBe(0);
    const rules = (JSON.parse(status.stdout) as { rules: { name: string; spent: number }[] }).rules;
    expect(rules.find((rule) => rule.name === 'two_calls')?.spent).toBe(1);
  });
});
