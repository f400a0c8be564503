import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { MAX_RESOLVED_MODELS, PriceTable } from './price-table.js';

const usage = { input: 1200, output: 300, cacheRead: 200, cacheWrite: 100, reasoning: 50 };

describe('PriceTable', () => {
  it('prices a dated model id as its family, as the price data does', () => {
    const price = new PriceTable().price('openai', 'openai', 'gpt-4o-mini-2024-07-18', usage);
    // gpt-4o-mini: $0.15/M input, $0.075/M cached input, $0.60/M output; no cache-write price.
    const expected = (900 * 0.15 + 200 * 0.075 + 100 * 0.15 + 300 * 0.6) / 1e6;
    expect(price?.model).toBe('gpt-4o-mini');
    expect(price?.usd).toBeCloseTo(expected, 12);
  });

  it('agrees with calcPrice on tiered prices above 200k input tokens', () => {
    const big = { input: 250_000, output: 1000, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
    const price = new PriceTable().price('anthropic', 'anthropic', 'claude-sonnet-4-5', big);
    const reference = calcPrice({ input_tokens: 250_000, output_tokens: 1000 }, 'claude-sonnet-4-5', { providerId: 'anthropic' });
    expect(reference).not.toBeNull();
    expect(price?.usd).toBe(reference?.total_price);
  });

  it('prices the same model again from its cached resolution, with the same result', () => {
    const table = new PriceTable();
    const first = table.price('anthropic', 'anthropic', 'claude-haiku-4-5', usage);
    const second = table.price('anthropic', 'anthropic', 'claude-haiku-4-5', { ...usage, output: 600 });
    expect(first?.usd).toBeGreaterThan(0);
    // Claude Haiku 4.5 output is $5/M: 300 more output tokens cost $0.0015 more.
    expect((second?.usd ?? 0) - (first?.usd ?? 0)).toBeCloseTo(0.0015, 12);
  });

  it('keeps at most MAX_RESOLVED_MODELS models resolved, and prices right after starting over', () => {
    const table = new PriceTable({ openai: { 'my-own-model': { input: 2, output: 8 } } });
    const known = table.price('openai', 'openai', 'gpt-4o-mini', usage);
    // Model ids come from the wire: an app (or a proxy) may report any number of them.
    for (let i = 0; i < MAX_RESOLVED_MODELS + 10; i++) expect(table.price('openai', 'openai', `wire-model-${i}`, usage)).toBeUndefined();
    expect(table.resolvedModels).toBeLessThanOrEqual(MAX_RESOLVED_MODELS);
    expect(table.resolvedModels).toBeGreaterThan(0);
    expect(table.price('openai', 'openai', 'gpt-4o-mini', usage)).toEqual(known);
    expect(table.price('openai', 'openai', 'my-own-model', usage)?.model).toBe('my-own-model');
  });

  it('resolves a model once per provider and pricing id, each on its own', () => {
    const table = new PriceTable({ openai: { shared: { input: 2, output: 8 } } });
    expect(table.price('openai', 'openai', 'shared', usage)?.model).toBe('shared');
    // The same id under another provider is not that provider's override.
    expect(table.price('anthropic', 'anthropic', 'shared', usage)).toBeUndefined();
    expect(table.price('azure', 'openai', 'gpt-4o-mini', usage)?.model).toBe('gpt-4o-mini');
    expect(table.resolvedModels).toBe(3);
    table.price('openai', 'openai', 'shared', usage);
    expect(table.resolvedModels).toBe(3);
  });

  it('returns undefined for a model the price data does not know', () => {
    expect(new PriceTable().price('openai', 'openai', 'my-own-model', usage)).toBeUndefined();
  });

  it('uses a config override, with cache prices defaulting to the input price', () => {
    const table = new PriceTable({ openai: { 'my-own-model': { input: 2, output: 8 }, 'gpt-4o-mini': { input: 1, output: 1, cacheRead: 0.5 } } });
    expect(table.price('openai', 'openai', 'my-own-model', usage)).toEqual({
      usd: (900 * 2 + 200 * 2 + 100 * 2 + 300 * 8) / 1e6,
      model: 'my-own-model',
    });
    // An override wins over the price data for the same model.
    expect(table.price('openai', 'openai', 'gpt-4o-mini', usage)?.usd).toBeCloseTo((900 + 200 * 0.5 + 100 + 300) / 1e6, 15);
    // Overrides are per provider.
    expect(table.price('anthropic', 'anthropic', 'my-own-model', usage)).toBeUndefined();
  });

  it("prices a model's dated ids with an override of its family, as the price data resolves them", () => {
    const table = new PriceTable({ openai: { 'gpt-4o-mini': { input: 1, output: 1, cacheRead: 0.5 }, 'gpt-4o-mini-2024-07-18': { input: 3, output: 3 } } });
    const family = new PriceTable({ openai: { 'gpt-4o-mini': { input: 1, output: 1, cacheRead: 0.5 } } });
    expect(family.price('openai', 'openai', 'gpt-4o-mini-2024-07-18', usage)).toEqual({ usd: (900 + 200 * 0.5 + 100 + 300) / 1e6, model: 'gpt-4o-mini' });
    // An override of the dated id itself wins over the family's.
    expect(table.price('openai', 'openai', 'gpt-4o-mini-2024-07-18', usage)?.usd).toBeCloseTo((900 * 3 + 200 * 3 + 100 * 3 + 300 * 3) / 1e6, 15);
    // A family without an override keeps the price data's price.
    expect(family.price('openai', 'openai', 'gpt-4o-2024-08-06', usage)?.model).toBe('gpt-4o');
  });
});

describe('PriceTable fast path', () => {
  it('agrees with calcPrice on random usages of flat and tiered models', () => {
    const table = new PriceTable();
    const models: [string, string][] = [
      ['openai', 'gpt-4o-mini-2024-07-18'],
      ['openai', 'gpt-4.1'],
      ['openai', 'text-embedding-3-small'],
      ['anthropic', 'claude-haiku-4-5'],
      ['anthropic', 'claude-sonnet-4-5'],
    ];
    let seed = 7;
    const random = (max: number) => (seed = (seed * 48271) % 2147483647) % max;
    for (const [provider, model] of models) {
      for (let i = 0; i < 200; i++) {
        const input = random(400_000);
        const cacheRead = random(input + 1);
        const cacheWrite = random(input - cacheRead + 1);
        const usage = { input, output: random(20_000), cacheRead, cacheWrite, reasoning: 0 };
        const reference = calcPrice(
          { input_tokens: usage.input, output_tokens: usage.output, cache_read_tokens: cacheRead, cache_write_tokens: cacheWrite },
          model,
          { providerId: provider },
        )!.total_price;
        const price = table.price(provider, provider, model, usage)!.usd;
        expect(Math.abs(price - reference)).toBeLessThanOrEqual(Math.abs(reference) * 1e-12 + 1e-15);
      }
    }
  });
});
