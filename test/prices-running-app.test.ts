import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForUpdate, type Provider } from '@pydantic/genai-prices';
import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costctl, workdir } from './helpers/costctl.js';
import { startLiveApp } from './helpers/live-app.mjs';
import { parsePrometheus, select, sum, type Sample } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

// A running app and `costctl prices update` (test/prices.test.ts covers the command itself).

const DAY = 86_400;

/** USD per million tokens the new data gives: far from any real price, so a call priced with it cannot be mistaken. */
const NEW = { 'gpt-4o-mini': { input: 1000, output: 2000 }, 'gpt-4o': { input: 3000, output: 5000 }, 'acme-llm-7b': { input: 700, output: 900 } } as const;

let data: string;
let dataFile: string;

beforeAll(async () => {
  const providers = JSON.parse(JSON.stringify(await waitForUpdate())) as Provider[];
  const openai = providers.find((provider) => provider.id === 'openai')!;
  for (const id of ['gpt-4o-mini', 'gpt-4o'] as const)
    openai.models.find((model) => model.id === id)!.prices = { input_mtok: NEW[id].input, output_mtok: NEW[id].output };
  openai.models.push({
    id: 'acme-llm-7b',
    match: { equals: 'acme-llm-7b' },
    prices: { input_mtok: NEW['acme-llm-7b'].input, output_mtok: NEW['acme-llm-7b'].output },
  });
  data = JSON.stringify(providers);
  dataFile = writeTemp('data.json', data);
});

const statePath = (cwd: string) => join(cwd, '.costctl', 'prices.json');

describe('a running app', () => {
  let provider: FakeProvider;

  beforeAll(async () => {
    provider = await startFakeProvider();
  });

  afterAll(async () => {
    await provider.close();
  });

  it("prices its next call with updated data, without a restart; the config's prices still win", async () => {
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
      const priced = (model: string, price: { input: number; output: number }) =>
        (tokens(model, 'input') * price.input + tokens(model, 'output') * price.output) / 1e6;
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
