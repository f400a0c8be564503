import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForUpdate, type Provider } from '@pydantic/genai-prices';
import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costctl, costctlBin, workdir } from './helpers/costctl.js';
import { startLiveApp } from './helpers/live-app.mjs';
import { listenLocally, type LocalServer } from './helpers/local-server.js';
import { parsePrometheus, select, sum, type Sample } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

const DAY = 86_400;
const FAILED = 'costctl: the price data was NOT updated: ';

/** USD per million tokens the new data gives: far from any real price, so a call priced with it cannot be mistaken. */
const NEW = { 'gpt-4o-mini': { input: 1000, output: 2000 }, 'gpt-4o': { input: 3000, output: 5000 }, 'acme-llm-7b': { input: 700, output: 900 } } as const;

/** The bundled data as genai-prices publishes it (data.json), repriced as NEW says, with acme-llm-7b added under openai. */
async function newerData(): Promise<string> {
  const providers = JSON.parse(JSON.stringify(await waitForUpdate())) as Provider[];
  const openai = providers.find((provider) => provider.id === 'openai')!;
  for (const id of ['gpt-4o-mini', 'gpt-4o'] as const) openai.models.find((model) => model.id === id)!.prices = { input_mtok: NEW[id].input, output_mtok: NEW[id].output };
  openai.models.push({ id: 'acme-llm-7b', match: { equals: 'acme-llm-7b' }, prices: { input_mtok: NEW['acme-llm-7b'].input, output_mtok: NEW['acme-llm-7b'].output } });
  return JSON.stringify(providers);
}

let data: string;
let dataFile: string;
let server: LocalServer;
const LAST_MODIFIED = 'Tue, 01 Dec 2026 08:00:00 GMT';

beforeAll(async () => {
  data = await newerData();
  dataFile = join(mkdtempSync(join(tmpdir(), 'costctl-data-')), 'data.json');
  writeFileSync(dataFile, data);
  server = await listenLocally(async (req, res) => {
    if (req.url === '/data.json') res.writeHead(200, { 'content-type': 'application/json', 'last-modified': LAST_MODIFIED }).end(data);
    else if (req.url === '/not-json') res.writeHead(200).end('<html>rate limited</html>');
    else res.writeHead(404).end();
  });
});

afterAll(async () => {
  await server.close();
});

/** `costctl …` without blocking this process, whose local server must answer it. */
function costctlAsync(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [costctlBin, ...args], { cwd, env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: join(cwd, '.costctl') } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const status = (cwd: string) => JSON.parse(costctl(['prices', 'status', '--json'], { cwd }).stdout) as Record<string, unknown>;
const statePath = (cwd: string) => join(cwd, '.costctl', 'prices.json');

describe('costctl prices update', () => {
  it('takes a file in genai-prices\' format into the state directory, with its version, source and fetch time', () => {
    const cwd = workdir();
    const run = costctl(['prices', 'update', '--from', dataFile], { cwd });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^price data updated: ${statePath(cwd)}\n  now:  sha256:[0-9a-f]{16}, as of \\d{4}-\\d\\d-\\d\\d, \\d+ providers, [\\d,]+ models\n  was:  bundled @pydantic/genai-prices `));
    const version = `sha256:${createHash('sha256').update(data).digest('hex').slice(0, 16)}`;
    expect(status(cwd)).toMatchObject({ source: 'state_dir', version, origin: dataFile, path: statePath(cwd), stale: false, fetchedAt: expect.any(String) });
    const again = JSON.parse(costctl(['prices', 'update', '--from', dataFile, '--json'], { cwd }).stdout) as Record<string, Record<string, unknown>>;
    expect(again).toMatchObject({ path: statePath(cwd), data: { source: 'state_dir', version, origin: dataFile }, previous: { source: 'state_dir', version } });
  });

  it('takes it from a URL, dated by its Last-Modified', async () => {
    const cwd = workdir();
    const run = await costctlAsync(['prices', 'update', '--from', `${server.url}/data.json`], cwd);
    expect(run.code, run.stderr).toBe(0);
    expect(status(cwd)).toMatchObject({ source: 'state_dir', origin: `${server.url}/data.json`, asOf: new Date(LAST_MODIFIED).toISOString() });
  });

  it.each([
    ['a file that is not JSON', () => writeTemp('data.json', '{"providers": ['), (from: string) => `${from} is not JSON: `],
    ['a list without a provider costctl prices', () => writeTemp('data.json', JSON.stringify((JSON.parse(data) as Provider[]).filter((p) => p.id !== 'anthropic'))), (from: string) => `${from} is not usable price data: it lacks providers costctl prices calls of: anthropic`],
    ['an answer that is not JSON', () => `${server.url}/not-json`, (from: string) => `${from} is not JSON: `],
    ['a URL that answers 404', () => `${server.url}/gone.json`, (from: string) => `could not fetch ${from}: HTTP 404 Not Found`],
    ['a file that does not exist', () => '/nonexistent/data.json', () => 'could not read /nonexistent/data.json: ENOENT'],
  ])('changes nothing for %s: exit 1 and one line that says why', async (_case, source, says) => {
    const cwd = workdir();
    expect(costctl(['prices', 'update', '--from', dataFile], { cwd }).code).toBe(0);
    const before = readFileSync(statePath(cwd), 'utf8');
    const from = source();
    const run = await costctlAsync(['prices', 'update', '--from', from], cwd);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
    expect(run.stderr.startsWith(FAILED + says(from)), run.stderr).toBe(true);
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(readFileSync(statePath(cwd), 'utf8')).toBe(before);
  });

  it('writes nothing at all when the first update does not validate', () => {
    const cwd = workdir();
    const run = costctl(['prices', 'update', '--from', writeTemp('data.json', '[]')], { cwd });
    expect(run.code).toBe(1);
    expect(existsSync(statePath(cwd))).toBe(false);
    expect(status(cwd).source).toBe('bundled');
  });

  it('refuses an empty --from as bad usage (exit 2)', () => {
    const run = costctl(['prices', 'update', '--from', ''], { cwd: workdir() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--from needs a file or an http\(s\) URL/);
  });
});

describe('costctl prices status', () => {
  it('shows the bundled data, its version, age and path, until an update', () => {
    const cwd = workdir();
    const json = status(cwd);
    expect(json).toMatchObject({ source: 'bundled', origin: '@pydantic/genai-prices', version: expect.stringMatching(/^\d+\.\d+\.\d+$/), maxAgeDays: 30 });
    expect(json.stale).toBe((json.ageSeconds as number) >= 30 * DAY);
    expect(String(json.path)).toMatch(/node_modules\/@pydantic\/genai-prices$/);
    const text = costctl(['prices', 'status'], { cwd });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`price data in use: bundled with costctl\n  version:    @pydantic/genai-prices ${String(json.version)}\n  as of:      ${String(json.asOf).slice(0, 10)} (${Math.floor((json.ageSeconds as number) / DAY)} days old)\n`);
  });

  it('says the data is stale, and why a broken state file is not used', () => {
    const cwd = workdir();
    const old = writeTemp('data.json', data);
    const forty = Date.now() / 1000 - 40 * DAY;
    utimesSync(old, forty, forty);
    expect(costctl(['prices', 'update', '--from', old], { cwd }).code).toBe(0);
    const text = costctl(['prices', 'status'], { cwd }).stdout;
    expect(text).toContain('(40 days old)');
    expect(text).toContain('stale: older than 30 days (priceDataMaxAgeDays); run costctl prices update\n');
    writeFileSync(statePath(cwd), 'half a fi');
    expect(costctl(['prices', 'status', '--json'], { cwd }).stdout).toMatch(/"source":"bundled".*"ignored":".*prices\.json is not JSON: /);
  });

  it('prices `costctl price` with the data in use', () => {
    const cwd = workdir();
    expect(costctl(['prices', 'update', '--from', dataFile], { cwd }).code).toBe(0);
    const quote = JSON.parse(costctl(['price', 'gpt-4o-mini', '--input', '1000', '--output', '1000', '--json'], { cwd }).stdout) as { quote: { usd: number; source: string } };
    expect(quote.quote.usd).toBeCloseTo((1000 * NEW['gpt-4o-mini'].input + 1000 * NEW['gpt-4o-mini'].output) / 1e6, 9);
    expect(quote.quote.source).toMatch(new RegExp(`^${statePath(cwd)} sha256:`));
  });
});

describe('a running app', () => {
  let provider: FakeProvider;

  beforeAll(async () => {
    provider = await startFakeProvider();
  });

  afterAll(async () => {
    await provider.close();
  });

  it('prices its next call with updated data, without a restart; the config\'s prices still win', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'costctl-config-')), 'costctl.config.json');
    // The fake answers gpt-4o as its dated snapshot, as OpenAI does: the model an override names.
    writeFileSync(config, JSON.stringify({ evaluationIntervalMillis: 200, prices: { openai: { 'gpt-4o-2024-08-06': { input: 1, output: 2 } } } }));
    const app = await startLiveApp('test/apps/dashboard-traffic.mjs', {
      env: { FAKE_PROVIDER_URL: provider.url, COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`, COSTCTL_CONFIG: config },
    });
    const scrape = async () => parsePrometheus(await (await fetch(`http://${app.target}/metrics`)).text());
    try {
      const calls = ['openai-chat', 'capped', 'unpriced'];
      expect(await app.ask(calls)).toEqual({ outcomes: ['ok', 'ok', 'ok'] });
      const before = await scrape();
      expect(select(before, 'costctl_price_data_age', { costctl_price_source: 'bundled' })).toHaveLength(1);
      expect(sum(before, 'costctl_unpriced_requests_total', { gen_ai_request_model: 'acme-llm-7b' })).toBe(1);

      const update = costctl(['prices', 'update', '--from', dataFile], { cwd: workdir(), env: { COSTCTL_STATE_DIR: app.stateDir } });
      expect(update.code, update.stderr).toBe(0);
      let switched: Sample[] = before;
      for (let waited = 0; select(switched, 'costctl_price_data_age', { costctl_price_source: 'state_dir' }).length === 0; waited += 100) {
        if (waited > 15_000) throw new Error(`the app never took the new price data:\n${app.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        switched = await scrape();
      }
      // The bundled series stays exported (every series seen does) but no longer has an age.
      expect(select(switched, 'costctl_price_data_age', { costctl_price_source: 'bundled' })[0]!.value).toBeNaN();
      expect(select(switched, 'costctl_price_data_age', { costctl_price_source: 'state_dir' })[0]!.value).toBeLessThan(60);

      expect(await app.ask(calls)).toEqual({ outcomes: ['ok', 'ok', 'ok'] });
      const after = await scrape();
      const delta = (name: string, where: Record<string, string>) => sum(after, name, where) - sum(before, name, where);
      const costOf = (model: string) => delta('costctl_cost_usd_total', { gen_ai_request_model: model });
      const tokens = (model: string, type: string) => delta('costctl_tokens_total', { gen_ai_request_model: model, gen_ai_token_type: type });
      for (const model of ['gpt-4o-mini', 'gpt-4o', 'acme-llm-7b']) {
        expect(tokens(model, 'input'), model).toBeGreaterThan(0);
        expect(tokens(model, 'cache_read'), model).toBe(0);
      }
      const priced = (model: string, price: { input: number; output: number }) => (tokens(model, 'input') * price.input + tokens(model, 'output') * price.output) / 1e6;
      expect(costOf('gpt-4o-mini')).toBeCloseTo(priced('gpt-4o-mini', NEW['gpt-4o-mini']), 9);
      // The config prices gpt-4o: the new data's price for it does not apply.
      expect(costOf('gpt-4o')).toBeCloseTo(priced('gpt-4o', { input: 1, output: 2 }), 12);
      // A model only the new data knows is priced from it, and no longer counted unpriced.
      expect(costOf('acme-llm-7b')).toBeCloseTo(priced('acme-llm-7b', NEW['acme-llm-7b']), 9);
      expect(sum(after, 'costctl_unpriced_requests_total', { gen_ai_request_model: 'acme-llm-7b' })).toBe(1);
    } finally {
      await app.stop();
    }
  });

  it('warns once at start-up when the data in use is older than priceDataMaxAgeDays, and exports its age', async () => {
    const cwd = workdir();
    const old = writeTemp('data.json', data);
    const forty = Date.now() / 1000 - 40 * DAY;
    utimesSync(old, forty, forty);
    expect(costctl(['prices', 'update', '--from', old], { cwd }).code).toBe(0);
    const env = { COSTCTL_STATE_DIR: join(cwd, '.costctl') };
    const stale = await runApp('test/apps/probe-fetch.mjs', { env });
    const lines = stale.stderr.split('\n').filter((line) => line.includes('price data'));
    expect(lines).toEqual([expect.stringContaining(`"msg":"costctl prices calls with price data 40 days old (${statePath(cwd)}, sha256:`)]);
    expect(select(stale.samples, 'costctl_price_data_age', { costctl_price_source: 'state_dir' })[0]!.value).toBeGreaterThanOrEqual(40 * DAY);

    const fresh = await runApp('test/apps/probe-fetch.mjs', { env: { ...env, COSTCTL_PRICE_DATA_MAX_AGE_DAYS: '41' } });
    expect(fresh.stderr).not.toContain('price data');
  });
});

function writeTemp(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'costctl-data-')), name);
  writeFileSync(path, text);
  return path;
}
