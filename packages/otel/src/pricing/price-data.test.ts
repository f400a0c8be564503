import { waitForUpdate, type Provider } from '@pydantic/genai-prices';
import { afterEach, describe, expect, it } from 'vitest';
import { FallbackPrices } from '../budget/fallback-price.js';
import { listAdapters } from '../providers/registry.js';
import {
  activePriceData,
  BUNDLED_PUBLISHED,
  bundledVersion,
  REQUIRED_PROVIDERS,
  useBundledPriceData,
  usePriceData,
  validatePriceData,
  type PriceDataInfo,
} from './price-data.js';
import { PriceTable } from './price-table.js';

const usage = { input: 1_000_000, output: 1_000_000, cacheRead: 0, cacheWrite: 0, reasoning: 0 };

/** The bundled data as it would arrive in genai-prices' data.json: plain JSON. */
async function bundledJson(): Promise<Provider[]> {
  return JSON.parse(JSON.stringify(await waitForUpdate())) as Provider[];
}

/** The bundled data with gpt-4o-mini at $100/$200 per million and a model only this data knows. */
async function repriced(): Promise<Provider[]> {
  const providers = await bundledJson();
  const openai = providers.find((provider) => provider.id === 'openai')!;
  const mini = openai.models.find((model) => model.id === 'gpt-4o-mini')!;
  mini.prices = { input_mtok: 100, output_mtok: 200 };
  openai.models.push({ id: 'gpt-9-preview', match: { equals: 'gpt-9-preview' }, prices: { input_mtok: 7, output_mtok: 21 } });
  return providers;
}

const info: PriceDataInfo = { source: 'state_dir', version: 'sha256:test', asOf: '2026-12-01T00:00:00.000Z', origin: 'test', providers: 0, models: 0 };

afterEach(() => {
  useBundledPriceData();
});

describe('validatePriceData', () => {
  it("accepts genai-prices' own data, as JSON", async () => {
    const valid = validatePriceData(await bundledJson(), REQUIRED_PROVIDERS);
    expect(valid.problem).toBeUndefined();
  });

  it.each([
    ['not a list', () => ({ providers: [] }), "expected a JSON list of providers (genai-prices' data.json), got an object"],
    ['an empty list', () => [], 'the list of providers is empty'],
    [
      'a provider without models',
      (data: Provider[]) => [{ ...data[0], models: undefined }, ...data.slice(1)],
      `providers[0] (${'anthropic'}).models: expected a list of models, got nothing`,
    ],
    [
      'a price that is not a number',
      (data: Provider[]) => {
        (data[0]!.models[0]!.prices as Record<string, unknown>).input_mtok = '8';
        return data;
      },
      'providers[0] (anthropic).models[0] (claude-2).prices.input_mtok: expected a price (a number of USD, 0 or more) or tiered prices {base, tiers}, got "8"',
    ],
    [
      'a negative price',
      (data: Provider[]) => {
        (data[0]!.models[0]!.prices as Record<string, unknown>).output_mtok = -1;
        return data;
      },
      'providers[0] (anthropic).models[0] (claude-2).prices.output_mtok: expected a price (a number of USD, 0 or more) or tiered prices {base, tiers}, got -1',
    ],
    [
      'a provider costctl needs is missing',
      (data: Provider[]) => data.filter((provider) => provider.id !== 'groq'),
      'it lacks providers costctl prices calls of: groq',
    ],
    [
      'a date constraint the price engine cannot read',
      (data: Provider[]) => {
        data[0]!.models[0]!.prices = [{ prices: { input_mtok: 1 } }, { constraint: { start_date: '1 March' } as never, prices: { input_mtok: 2 } }];
        return data;
      },
      `provider anthropic: Expected a start-date or time-of-day price constraint for provider 'anthropic' model 'claude-2', got: {"start_date":"1 March"}`,
    ],
  ])('rejects %s, saying where in one line', async (_case, spoil, problem) => {
    const result = validatePriceData(spoil(await bundledJson()), REQUIRED_PROVIDERS);
    expect(result.problem).toBe(problem);
    expect(result.problem).not.toContain('\n');
  });

  it("requires the price data's provider of every built-in adapter", () => {
    const needed = new Set(listAdapters().map((adapter) => adapter.pricingId));
    expect([...needed].filter((id) => !REQUIRED_PROVIDERS.includes(id))).toEqual([]);
  });
});

describe('the bundled data', () => {
  it('is dated: the installed version of @pydantic/genai-prices has its publication date listed', () => {
    expect(
      BUNDLED_PUBLISHED[bundledVersion()],
      `add ${bundledVersion()}'s publication date (npm view @pydantic/genai-prices time) to BUNDLED_PUBLISHED`,
    ).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(activePriceData()).toMatchObject({ source: 'bundled', version: bundledVersion(), origin: '@pydantic/genai-prices' });
  });
});

describe('usePriceData', () => {
  it('reprices a model a table already resolved, from the next call on', async () => {
    const table = new PriceTable();
    const before = table.price('openai', 'openai', 'gpt-4o-mini', usage);
    expect(before?.usd).toBeCloseTo(0.15 + 0.6, 9);
    usePriceData({ providers: await repriced(), info });
    expect(table.price('openai', 'openai', 'gpt-4o-mini', usage)?.usd).toBeCloseTo(300, 9);
    expect(table.price('openai', 'openai', 'gpt-9-preview', usage)).toEqual({ usd: 28, model: 'gpt-9-preview' });
    expect(activePriceData()).toBe(info);
  });

  it('goes back to the bundled data, which does not know the new model', async () => {
    const table = new PriceTable();
    usePriceData({ providers: await repriced(), info });
    expect(table.price('openai', 'openai', 'gpt-9-preview', usage)?.usd).toBe(28);
    useBundledPriceData();
    expect(table.price('openai', 'openai', 'gpt-9-preview', usage)).toBeUndefined();
    expect(table.price('openai', 'openai', 'gpt-4o-mini', usage)?.usd).toBeCloseTo(0.75, 9);
    expect(activePriceData().source).toBe('bundled');
  });

  it("leaves the config's overrides winning over the new data", async () => {
    const table = new PriceTable({ openai: { 'gpt-4o-mini': { input: 1, output: 2 } } });
    expect(table.price('openai', 'openai', 'gpt-4o-mini', usage)?.usd).toBe(3);
    usePriceData({ providers: await repriced(), info });
    expect(table.price('openai', 'openai', 'gpt-4o-mini', usage)?.usd).toBe(3);
  });

  it("renews the budgets' fallback price of a model the data does not know", async () => {
    const fallback = new FallbackPrices({}, 4096);
    const openai = { name: 'openai', pricingId: 'openai' };
    const bundledHighest = fallback.perToken(openai);
    const providers = await repriced();
    providers
      .find((provider) => provider.id === 'openai')!
      .models.push({ id: 'gpt-gold', match: { equals: 'gpt-gold' }, prices: { input_mtok: 10_000, output_mtok: 40_000 } });
    usePriceData({ providers, info });
    expect(fallback.perToken(openai)).toEqual({ input: 0.01, output: 0.04 });
    expect(bundledHighest.output).toBeLessThan(0.04);
  });
});
