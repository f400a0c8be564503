// When budgets are evaluated and what a refusing rule shows: real processes
// (test/apps/alerting.mjs), a real fake provider, a real webhook receiver.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { openState } from '@costctl/otel';
import { expectedUsage, responseModel, startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLiveApp, type LiveApp } from './helpers/live-app.mjs';
import { until } from './helpers/looper.js';
import { parsePrometheus, select, sum } from './helpers/prometheus.js';
import { startRedis, type RedisServer } from './helpers/redis-server.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';

let provider: FakeProvider;
let hook: WebhookReceiver;
const apps: LiveApp[] = [];

beforeAll(async () => {
  [provider, hook] = await Promise.all([startFakeProvider(), startWebhookReceiver()]);
});
afterAll(async () => {
  await Promise.all([provider?.close(), hook?.close()]);
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
  hook.received.length = 0;
});

const body = { model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'Is this call within budget?' }] };

/** What one call of `body` costs: the fake provider answers exactly max_tokens, so also what it reserves. */
function costOfCall(): number {
  const usage = expectedUsage('openai.chat', body);
  return calcPrice({ input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens }, responseModel('openai.chat', body.model), {
    providerId: 'openai',
  })!.total_price;
}

/** The environment of an app with one daily USD rule, its config file, and its own state directory. */
function appEnv(config: Record<string, unknown>, extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'costctl-alerts-'));
  writeFileSync(join(dir, 'costctl.config.json'), JSON.stringify(config));
  return {
    COSTCTL_CONFIG: join(dir, 'costctl.config.json'),
    COSTCTL_STATE_DIR: join(dir, 'state'),
    COSTCTL_ALERT_WEBHOOK: hook.url,
    FAKE_PROVIDER_URL: provider.url,
    COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
    ...extra,
  };
}

async function start(env: Record<string, string>): Promise<LiveApp> {
  const app = await startLiveApp('test/apps/alerting.mjs', { env, register: false });
  apps.push(app);
  return app;
}

/** Adds spend to the store every process of the host shares, as an operator's adjustment does: no call in the app. */
async function spendElsewhere(env: Record<string, string>, amountUsd: number): Promise<void> {
  const state = await openState({ env });
  try {
    const day = new Date().toISOString().slice(0, 10);
    await state.adjust({
      provider: 'openai',
      model: 'gpt-4o-mini',
      day,
      amountUsd,
      reason: 'test',
      actor: 'test',
      source: 'test',
      billedUsd: amountUsd,
      localUsd: 0,
    });
  } finally {
    await state.close();
  }
}

async function scrape(app: LiveApp) {
  return parsePrometheus(await (await fetch(`http://${app.target}/metrics`)).text());
}

describe('scrapes only read', () => {
  // Regression: rules were evaluated inside the metrics callback, so a scrape moved levels, sent webhooks and tripped the gate.
  it('a scrape of /metrics moves no level, sends no alert and trips nothing; an evaluation does', async () => {
    const env = appEnv({ rules: [{ name: 'daily_usd', limit: 1, unit: 'usd', window: 'day', action: 'trip' }], evaluationIntervalMillis: 600_000 });
    const app = await start(env);
    expect(await app.ask({ evaluate: true })).toMatchObject({ statuses: [{ rule: 'daily_usd', level: 'ok' }] });
    await spendElsewhere(env, 2);

    for (let i = 0; i < 3; i++) {
      const samples = await scrape(app);
      expect(select(samples, 'costctl_budget_level', { costctl_rule: 'daily_usd' })[0]?.value).toBe(0);
      expect(select(samples, 'costctl_gate_tripped')[0]?.value).toBe(0);
    }
    expect(await app.ask({ gate: true })).toMatchObject({ gate: { tripped: false } });
    expect(hook.received).toEqual([]);

    expect(await app.ask({ evaluate: true })).toMatchObject({ statuses: [{ rule: 'daily_usd', level: 'exceeded' }] });
    expect(await app.ask({ gate: true })).toMatchObject({ gate: { tripped: true, actor: 'rule:daily_usd' } });
    expect(select(await scrape(app), 'costctl_budget_level', { costctl_rule: 'daily_usd' })[0]?.value).toBe(3);
    await until(() => hook.received.some((alert) => alert.kind === 'budget'), 'the budget alert');
    expect(hook.received.filter((alert) => alert.kind === 'budget')).toMatchObject([{ rule: 'daily_usd', level: 'exceeded', previous: 'ok' }]);
  });

  it('evaluates on its own schedule, with no scrape and no call', async () => {
    const env = appEnv({ rules: [{ name: 'daily_usd', limit: 1, unit: 'usd', window: 'day', action: 'alert' }], evaluationIntervalMillis: 200 });
    await start(env);
    await spendElsewhere(env, 0.95);
    await until(() => hook.received.length > 0, 'an alert from the schedule');
    expect(hook.received).toMatchObject([{ kind: 'budget', rule: 'daily_usd', level: 'critical', previous: 'ok' }]);
  });

  it('evaluates shortly after a call settles, without waiting for the schedule', async () => {
    const limit = costOfCall() / 0.8;
    const env = appEnv({ rules: [{ name: 'daily_usd', limit, unit: 'usd', window: 'day', action: 'alert' }], evaluationIntervalMillis: 600_000 });
    const app = await start(env);
    expect(await app.ask({ call: body })).toMatchObject({ status: 200 });
    await until(() => hook.received.length > 0, 'an alert after the call');
    expect(hook.received).toMatchObject([{ kind: 'budget', rule: 'daily_usd', level: 'warning', previous: 'ok' }]);
  });
});

describe('"exceeded" means refusing', () => {
  // Regression: a block rule that refused calls read level 1 forever, its spend stopped below the limit by the reservation.
  it('shows a rule that refuses a call as exceeded, alerts once, and counts the block under the rule', async () => {
    const each = costOfCall();
    // One call fits (87 % of the limit: warning); the next one's reservation would pass it.
    const limit = each * 1.15;
    const env = appEnv({ rules: [{ name: 'daily_usd', limit, unit: 'usd', window: 'day', action: 'block' }], evaluationIntervalMillis: 600_000 });
    const app = await start(env);
    expect(await app.ask({ call: body })).toMatchObject({ status: 200 });
    expect(await app.ask({ evaluate: true })).toMatchObject({ statuses: [{ level: 'warning', refusing: false }] });
    for (let i = 0; i < 3; i++) expect(await app.ask({ call: body })).toMatchObject({ status: 402, blocked: 'daily_usd' });
    expect(await app.ask({ evaluate: true })).toMatchObject({ statuses: [{ level: 'exceeded', refusing: true, spent: each }] });

    const samples = await scrape(app);
    expect(select(samples, 'costctl_budget_level', { costctl_rule: 'daily_usd' })[0]?.value).toBe(3);
    expect(sum(samples, 'costctl_requests_total', { costctl_outcome: 'blocked', costctl_rule: 'daily_usd' })).toBe(3);
    await until(() => hook.received.length >= 2, 'two alerts');
    expect(await app.ask({ evaluate: true })).toMatchObject({ statuses: [{ level: 'exceeded' }] });
    expect(hook.received).toMatchObject([
      { kind: 'budget', level: 'warning', previous: 'ok', refusing: false },
      { kind: 'budget', level: 'exceeded', previous: 'warning', refusing: true },
    ]);
    expect(hook.received).toHaveLength(2);
  });
});

describe('one alert per change, per fleet', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const stores: [string, () => Record<string, string>][] = [
    ['the file store of one host', () => ({})],
    [
      'one Redis',
      () => ({ COSTCTL_STORE: 'redis', COSTCTL_REDIS_URL: redis.url, COSTCTL_REDIS_KEY_PREFIX: `alerts${Date.now()}:`, COSTCTL_REDIS_TIMEOUT_MS: '2000' }),
    ],
  ];

  // Regression: each process kept its own last level, so three processes sent each webhook three times and a new process re-sent the levels.
  for (const [name, storeEnv] of stores) {
    it(`three processes on ${name} send each change once, and a process started later sends nothing`, async () => {
      const limit = costOfCall() * 2.5;
      // An evaluation every 100 ms in every process: each would announce on its own if the store did not say who moved the level.
      const env = appEnv({ rules: [{ name: 'daily_usd', limit, unit: 'usd', window: 'day', action: 'alert' }], evaluationIntervalMillis: 100 }, storeEnv());
      const fleet = await Promise.all([1, 2, 3].map(() => start(env)));
      const evaluateAll = () => Promise.all(fleet.map((app) => app.ask({ evaluate: true })));
      // 40 %, 80 %, 120 % of the limit: ok, warning, exceeded, each call made by another process.
      for (const app of fleet) {
        expect(await app.ask({ call: body })).toMatchObject({ status: 200 });
        await evaluateAll();
      }
      for (const answer of await evaluateAll()) expect(answer).toMatchObject({ statuses: [{ level: 'exceeded' }] });
      const later = await start(env);
      expect(await later.ask({ evaluate: true })).toMatchObject({ statuses: [{ level: 'exceeded' }] });

      // Each process exits once what it had to send is sent: every delivery has arrived.
      const stderr = await Promise.all([...fleet, later].map(async (app) => (await app.stop(), app.stderr())));
      expect(hook.received.map((alert) => `${alert.previous}→${alert.level}`)).toEqual(['ok→warning', 'warning→exceeded']);
      // The log line keeps its own level (the line's severity); the budget's level is a field of its own.
      const lines = stderr
        .flatMap((text) => text.split('\n'))
        .filter((line) => line.includes('"budgetLevel"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const logged = lines.map(({ level, budgetLevel, kind }) => ({ level, budgetLevel, kind }));
      expect(logged.sort((x, y) => String(x.budgetLevel).localeCompare(String(y.budgetLevel)))).toEqual([
        { level: 'error', budgetLevel: 'exceeded', kind: 'budget' },
        { level: 'warn', budgetLevel: 'warning', kind: 'budget' },
      ]);
    });
  }
});

describe('gate changes are announced', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const gateAlerts = () => hook.received.filter((alert) => alert.kind === 'gate');

  /** Asks `app` for its gate until `check` holds: another process hears a change within its store's poll. */
  async function gateOf(app: LiveApp, check: (gate: Record<string, unknown>) => boolean): Promise<void> {
    for (let attempt = 0; attempt < 1_000; attempt++) {
      const { gate } = (await app.ask({ gate: true })) as { gate: Record<string, unknown> };
      if (check(gate)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the gate never became as expected');
  }

  // Regression: an operator's trip and reset reached no webhook and no log line of the apps; a rule's trip sent only "critical".
  it("an operator's trip and reset, in this process or another, reach onChange, the webhook and the log once per fleet", async () => {
    const env = appEnv({ evaluationIntervalMillis: 600_000 });
    const [a, b] = await Promise.all([start(env), start(env)]);
    // Two processes create the state file together: under load one may start on the fail-closed stand-in and recover at its next poll.
    // What follows counts only what the operators' changes caused.
    const heardBefore = new Map<LiveApp, number>();
    for (const app of [a, b]) {
      await gateOf(app, (gate) => gate.tripped === false);
      heardBefore.set(app, ((await app.ask({ gate: true })) as { changes: unknown[] }).changes.length);
    }
    const alertsBefore = gateAlerts().length;
    const operatorAlerts = () => gateAlerts().slice(alertsBefore);
    expect(await a.ask({ trip: 'runaway agent' })).toMatchObject({ gate: { tripped: true } });
    await until(() => operatorAlerts().length >= 1, 'the trip announced');
    await gateOf(b, (gate) => gate.tripped === true);
    // Another process (the CLI's API) resets it: both apps hear it, one announces it.
    const state = await openState({ env });
    await state.gate.reset({ reason: 'agent fixed', actor: 'carol' });
    await state.close();
    await until(() => operatorAlerts().length >= 2, 'the reset announced');
    for (const app of [a, b]) {
      await gateOf(app, (gate) => gate.tripped === false);
      const { gate, changes } = (await app.ask({ gate: true })) as { gate: unknown; changes: unknown[] };
      expect({ gate, changes: changes.slice(heardBefore.get(app)) }).toMatchObject({
        gate: { tripped: false },
        changes: [
          { tripped: true, actor: 'alice', reason: 'runaway agent', wasTripped: false },
          { tripped: false, actor: 'carol', reason: 'agent fixed', wasTripped: true },
        ],
      });
    }
    const stderr = await Promise.all([a, b].map(async (app) => (await app.stop(), app.stderr())));
    expect(operatorAlerts()).toMatchObject([
      { kind: 'gate', change: 'trip', tripped: true, actor: 'alice', reason: 'runaway agent' },
      { kind: 'gate', change: 'reset', tripped: false, actor: 'carol', reason: 'agent fixed' },
    ]);
    expect(operatorAlerts()).toHaveLength(2);
    const logged = stderr
      .join('\n')
      .split('\n')
      .filter((line) => line.includes('"kind":"gate"') && !line.includes('"actor":"costctl"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.map(({ level, change, actor }) => ({ level, change, actor }))).toEqual([
      { level: 'error', change: 'trip', actor: 'alice' },
      { level: 'warn', change: 'reset', actor: 'carol' },
    ]);
  });

  it("a trip rule's trip is announced as a gate change, with the rule as actor", async () => {
    const limit = costOfCall() * 1.5;
    const app = await start(appEnv({ rules: [{ name: 'daily_usd', limit, unit: 'usd', window: 'day', action: 'trip' }], evaluationIntervalMillis: 600_000 }));
    expect(await app.ask({ call: body })).toMatchObject({ status: 200 });
    expect(await app.ask({ call: body })).toMatchObject({ status: 402, blocked: 'gate' });
    await until(() => gateAlerts().length >= 1, 'the trip announced');
    expect(gateAlerts()).toMatchObject([{ change: 'trip', tripped: true, actor: 'rule:daily_usd', reason: expect.stringContaining('daily_usd') }]);
  });

  it('each process announces its own fail-closed entry and exit when its Redis store goes down and comes back', async () => {
    const own = await startRedis();
    try {
      const env = appEnv(
        { evaluationIntervalMillis: 600_000 },
        { COSTCTL_STORE: 'redis', COSTCTL_REDIS_URL: own.url, COSTCTL_REDIS_KEY_PREFIX: 'failclosed:', COSTCTL_REDIS_TIMEOUT_MS: '2000' },
      );
      const app = await start(env);
      await own.kill();
      await until(() => gateAlerts().some((alert) => alert.change === 'fail_closed'), 'fail-closed announced');
      await own.restart();
      await until(() => gateAlerts().some((alert) => alert.change === 'recovered'), 'recovery announced');
      expect(gateAlerts()).toMatchObject([
        { change: 'fail_closed', tripped: true, actor: 'costctl', reason: expect.stringMatching(/^costctl store unreachable/) },
        { change: 'recovered', tripped: false },
      ]);
      expect(await app.ask({ gate: true })).toMatchObject({ gate: { tripped: false } });
    } finally {
      await own.stop();
    }
  });
});

describe('a trip aborts the calls in flight', () => {
  let slow: FakeProvider;
  beforeAll(async () => {
    slow = await startFakeProvider({ chunkDelayMs: 20 });
  });
  afterAll(async () => {
    await slow?.close();
  });

  for (const via of ['fetch', 'http'] as const) {
    // Regression: a stream under way went on to its end, costing money, after the gate was tripped.
    it(`stops a stream under way through ${via} when the gate trips, and counts what it used`, async () => {
      const env = appEnv({ evaluationIntervalMillis: 600_000 }, { FAKE_PROVIDER_URL: slow.url, COSTCTL_ENDPOINTS: `openai=${slow.url}/openai` });
      const app = await start(env);
      expect(await app.ask({ stream: via })).toEqual({ started: true });
      const state = await openState({ env });
      await state.gate.trip({ reason: 'runaway stream', actor: 'alice' });
      await state.close();
      expect(await app.nextLine()).toEqual({ streamEnded: 'error:COSTCTL_GATE_TRIPPED' });
      expect(app.stderr()).toMatch(/costctl aborted 1 call\(s\) in flight: the gate was tripped/);
      const samples = await scrape(app);
      expect(sum(samples, 'costctl_requests_total', { costctl_outcome: 'error' })).toBe(1);
    });
  }

  it('lets the stream run on with abortOnTrip: false', async () => {
    const env = appEnv(
      { evaluationIntervalMillis: 600_000, abortOnTrip: false },
      { FAKE_PROVIDER_URL: slow.url, COSTCTL_ENDPOINTS: `openai=${slow.url}/openai` },
    );
    const app = await start(env);
    expect(await app.ask({ stream: 'fetch' })).toEqual({ started: true });
    const state = await openState({ env });
    await state.gate.trip({ reason: 'runaway stream', actor: 'alice' });
    await state.close();
    await until(() => app.stderr().includes('"change":"trip"'), 'the trip heard');
    expect(await app.nextLine(120_000)).toEqual({ streamEnded: 'complete' });
  });
});
