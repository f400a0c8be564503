import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakePaidApi, startFakePaidApi } from './helpers/fake-paid-api.js';
import { sum } from './helpers/prometheus.js';
import { repoRoot, runApp } from './helpers/run-app.js';

let api: FakePaidApi;

beforeAll(async () => {
  api = await startFakePaidApi();
});

beforeEach(() => {
  api.requests.length = 0;
});

afterAll(async () => {
  await api.close();
});

// What the config file declares; the test prices every call from these numbers itself.
const SEARCH_USD = 0.01;
const LISTEN = { perRequest: 0.0005, perSecond: 0.0000717 };
const SPEAK_PER_CHARACTER = 0.00003;
const NOTIFY_USD = 0.0079;

const meters = [
  { name: 'serpapi', host: '127.0.0.1', path: '/search*', method: 'GET', operation: 'search', price: { perRequest: SEARCH_USD } },
  {
    name: 'listenco',
    host: '127.0.0.1',
    path: '/v1/listen',
    method: 'POST',
    operation: 'transcription',
    price: { perRequest: LISTEN.perRequest, perUnit: LISTEN.perSecond, unit: { header: 'x-audio-seconds', name: 'audio_seconds' }, maxUnits: 600 },
  },
  { name: 'notifyco', host: '127.0.0.1', path: '/v1/notify', method: 'POST', operation: 'send', price: { perRequest: NOTIFY_USD } },
  {
    name: 'speakco',
    host: '127.0.0.1',
    path: '/v1/**',
    method: 'POST',
    operation: 'speech',
    price: { perUnit: SPEAK_PER_CHARACTER, unit: { json: 'usage.characters', name: 'characters' } },
  },
];

function configFile(extra: Record<string, unknown> = {}): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'costctl-meters-'));
  const file = join(dir, 'costctl.config.json');
  writeFileSync(file, JSON.stringify({ meters, ...extra }));
  return { dir, file };
}

type Call = { via: 'fetch' | 'http'; method: string; path: string; body?: unknown };

function run(calls: Call[], env: Record<string, string>) {
  return runApp('test/apps/metered-calls.mjs', {
    settled: (samples) => sum(samples, 'costctl_requests_total') === calls.length,
    env: { PAID_API_URL: api.url, CALLS: JSON.stringify(calls), ...env },
  });
}

const search: Call = { via: 'fetch', method: 'GET', path: '/search.json?q=coffee&engine=google' };
const text = 'Your order has shipped and will arrive on Tuesday.';

describe('metered APIs declared in the config file', () => {
  it('prices per request and per unit from a header or a JSON field, over fetch and node:http', async () => {
    const calls: Call[] = [
      search,
      { ...search, via: 'http' },
      { via: 'fetch', method: 'POST', path: '/v1/listen', body: { seconds: 31.5 } },
      { via: 'http', method: 'POST', path: '/v1/listen', body: { seconds: 12 } },
      { via: 'fetch', method: 'POST', path: '/v1/speak', body: { text } },
      { via: 'fetch', method: 'POST', path: '/v1/listen', body: { seconds: null } },
      { via: 'fetch', method: 'POST', path: '/v1/notify', body: { to: '+15550100' } },
    ];
    const run1 = await run(calls, { COSTCTL_CONFIG: configFile().file });
    expect(run1.lines.map((line) => line.status)).toEqual([200, 200, 200, 200, 200, 200, 204]);
    const cost = (provider: string) => sum(run1.samples, 'costctl_cost_usd_total', { gen_ai_provider_name: provider, costctl_cost_source: 'price_table' });
    expect(cost('serpapi')).toBeCloseTo(2 * SEARCH_USD, 15);
    expect(cost('listenco')).toBeCloseTo(2 * LISTEN.perRequest + (31.5 + 12) * LISTEN.perSecond, 15);
    expect(cost('speakco')).toBeCloseTo(text.length * SPEAK_PER_CHARACTER, 15);
    // Priced per request, an answer with no body at all is still priced.
    expect(cost('notifyco')).toBeCloseTo(NOTIFY_USD, 15);
    // The answer without its header is counted, with its reason, and never priced at $0.
    expect(sum(run1.samples, 'costctl_unpriced_requests_total', { gen_ai_provider_name: 'listenco', costctl_reason: 'unit_missing' })).toBe(1);
    expect(sum(run1.samples, 'costctl_units_total', { gen_ai_provider_name: 'listenco', costctl_unit: 'audio_seconds' })).toBe(43.5);
    expect(sum(run1.samples, 'costctl_units_total', { gen_ai_provider_name: 'speakco', costctl_unit: 'characters' })).toBe(text.length);
    expect(sum(run1.samples, 'costctl_requests_total', { gen_ai_provider_name: 'serpapi', gen_ai_operation_name: 'search', costctl_outcome: 'ok' })).toBe(2);
    // Metered calls have no tokens: costctl_tokens_total and the token histogram stay empty.
    expect(sum(run1.samples, 'costctl_tokens_total')).toBe(0);
    expect(sum(run1.samples, 'gen_ai_client_token_usage_count')).toBe(0);
  });

  it('blocks the call a budget scoped to the meter would pass, before any byte leaves', async () => {
    const { file } = configFile({ rules: [{ name: 'serp_daily', limit: 0.025, window: 'day', scope: { provider: 'serpapi' }, action: 'block' }] });
    const result = await run([search, search, search, { ...search, via: 'http' }, { via: 'fetch', method: 'POST', path: '/v1/speak', body: { text } }], {
      COSTCTL_CONFIG: file,
    });
    expect(result.lines.map((line) => [line.status, line.blocked])).toEqual([
      [200, null],
      [200, null],
      [402, 'serp_daily'],
      [402, 'serp_daily'],
      [200, null],
    ]);
    expect(api.requests).toEqual(['GET /search.json', 'GET /search.json', 'POST /v1/speak']);
    expect(sum(result.samples, 'costctl_requests_total', { gen_ai_provider_name: 'serpapi', costctl_outcome: 'blocked' })).toBe(2);
    expect(sum(result.samples, 'costctl_cost_usd_total', { gen_ai_provider_name: 'serpapi' })).toBeCloseTo(2 * SEARCH_USD, 15);
  });

  it('reserves maxUnits before a per-unit call leaves', async () => {
    // 600 seconds at most: $0.0005 + 600 × $0.0000717 = $0.04352 reserved, more than a $0.04 limit allows.
    const { file } = configFile({ rules: [{ name: 'listen_total', limit: 0.04, window: 'total', scope: { provider: 'listenco' } }] });
    const result = await run([{ via: 'fetch', method: 'POST', path: '/v1/listen', body: { seconds: 3 } }], { COSTCTL_CONFIG: file });
    expect(result.lines[0]).toMatchObject({ status: 402, blocked: 'listen_total' });
    expect(api.requests).toEqual([]);
  });

  it('stops every metered call while the gate is tripped, rejecting in throw mode', async () => {
    const { dir, file } = configFile();
    const stateDir = join(dir, '.costctl');
    const trip = spawnSync(process.execPath, [join(repoRoot, 'packages/cli/dist/main.js'), 'gate', 'trip', '--reason', 'search bill spiking'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: stateDir, COSTCTL_CONFIG: file },
    });
    expect(trip.status, trip.stderr).toBe(0);
    const result = await run([search, { ...search, via: 'http' }, { via: 'fetch', method: 'POST', path: '/v1/speak', body: { text } }], {
      COSTCTL_CONFIG: file,
      COSTCTL_STATE_DIR: stateDir,
      COSTCTL_BLOCK_MODE: 'throw',
    });
    expect(result.lines.map((line) => line.error)).toEqual([
      { name: 'CostctlBlockedError', code: 'COSTCTL_GATE_TRIPPED', rule: 'gate' },
      { name: 'CostctlBlockedError', code: 'COSTCTL_GATE_TRIPPED', rule: 'gate' },
      { name: 'CostctlBlockedError', code: 'COSTCTL_GATE_TRIPPED', rule: 'gate' },
    ]);
    expect(api.requests).toEqual([]);
  });

  it('refuses to start on a meter it cannot use, naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'costctl-meters-'));
    writeFileSync(join(dir, 'costctl.config.json'), JSON.stringify({ meters: [{ name: 'serpapi', host: 'serpapi.com', price: { perUnit: 0.01 } }] }));
    const result = await run([search], { COSTCTL_CONFIG: join(dir, 'costctl.config.json') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('meters.0.price.unit=(unset): expected a unit source with perUnit: { header: "…" } or { json: "…" }');
    expect(result.lines).toEqual([]);
  });

  it('loads the meters of docs/configuration.md and of costctl init, uncommented', () => {
    const cli = join(repoRoot, 'packages/cli/dist/main.js');
    const costctl = (cwd: string, args: string[]) =>
      spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: join(cwd, '.costctl') } });
    const initDir = mkdtempSync(join(tmpdir(), 'costctl-init-'));
    expect(costctl(initDir, ['init']).status).toBe(0);
    const template = readFileSync(join(initDir, 'costctl.config.yaml'), 'utf8');
    const uncommented = template.replace(/^# (meters:\n(?:#   .*\n)+)/m, (block: string) => block.replace(/^# /gm, ''));
    expect(uncommented).not.toBe(template);
    writeFileSync(join(initDir, 'costctl.config.yaml'), uncommented);
    expect(costctl(initDir, ['status']).status).toBe(0);

    const page = readFileSync(join(repoRoot, 'docs/configuration.md'), 'utf8');
    const example = /## Other paid APIs: meters[\s\S]*?```yaml\n([\s\S]*?)```/.exec(page)?.[1];
    expect(example).toContain('meters:');
    const docsDir = mkdtempSync(join(tmpdir(), 'costctl-docs-'));
    writeFileSync(join(docsDir, 'costctl.config.yaml'), example!);
    const status = costctl(docsDir, ['status', '--json']);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain('search_daily');
  });
});
