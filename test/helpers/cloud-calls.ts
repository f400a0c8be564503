import { calcPrice } from '@pydantic/genai-prices';
import type { FakeCloud } from '@costctl/testkit';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { sum } from './prometheus.js';
import { type AppRun, runApp } from './run-app.js';

/** Tokens of one call in the price data's terms: input is all input, cache reads and writes included. */
export interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

/**
 * A fake server for the tests of one file (a cloud fake, the fake provider):
 * started once, emptied before each test, closed at the end. Returns the running fake.
 *
 * @example
 * const google = useFake(() => startFakeGoogle());
 * it('…', () => expect(google().requests).toHaveLength(1));
 */
export function useFake<Fake extends { reset(): void; close(): Promise<void> }>(start: () => Promise<Fake>): () => Fake {
  let fake: Fake | undefined;
  beforeAll(async () => {
    fake = await start();
  });
  afterAll(() => fake?.close());
  beforeEach(() => fake?.reset());
  return () => {
    if (fake === undefined) throw new Error('the fake is started in beforeAll');
    return fake;
  };
}

/** {@link useFake} for a cloud fake. */
export const useFakeCloud: (start: () => Promise<FakeCloud>) => () => FakeCloud = useFake;

/**
 * Runs a test app under `--import @costctl/otel/register` with the calls in
 * `CALLS`, and scrapes it once every call is counted.
 *
 * @example
 * const run = await runCallsApp('test/apps/google-calls.mjs', calls, { FAKE_GOOGLE_URL: url });
 */
export function runCallsApp(script: string, calls: readonly object[], env: Record<string, string>): Promise<AppRun> {
  return runApp(script, {
    settled: (samples) => sum(samples, 'costctl_requests_total') === calls.length,
    env: { CALLS: JSON.stringify(calls), ...env },
  });
}

/**
 * The exact price of `tokens` on `model`, straight from the price data (not
 * through costctl's cache), under the provider id the adapter prices with.
 *
 * @example
 * priceFromData({ input: 10, output: 24, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, 'gemini-2.5-flash', 'google')
 */
export function priceFromData(tokens: Tokens, model: string, providerId: string): number {
  const usage = { input_tokens: tokens.input, output_tokens: tokens.output, cache_read_tokens: tokens.cacheRead, cache_write_tokens: tokens.cacheWrite };
  const price = calcPrice(usage, model, { providerId });
  if (price === null) throw new Error(`the price data has no ${model} under ${providerId}`);
  return price.total_price;
}

/** The sum of `pick` over `items`. */
export function total<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((sum, item) => sum + pick(item), 0);
}

/**
 * Chat calls to a cloud's OpenAI-compatible endpoint, each priced exactly
 * (and above $0) under `provider`, all counted ok, none unpriced.
 *
 * @example
 * expectChatsPriced(run, 'aws.bedrock', [['openai.gpt-oss-20b-1:0', 0.00001]]);
 */
export function expectChatsPriced(run: AppRun, provider: string, priced: readonly (readonly [model: string, usd: number])[]): void {
  for (const [model, usd] of priced) {
    expect(usd, model).toBeGreaterThan(0);
    expect(
      sum(run.samples, 'costctl_cost_usd_total', { gen_ai_provider_name: provider, gen_ai_request_model: model, costctl_cost_source: 'price_table' }),
      model,
    ).toBeCloseTo(usd, 15);
  }
  expect(sum(run.samples, 'costctl_requests_total', { gen_ai_provider_name: provider, gen_ai_operation_name: 'chat', costctl_outcome: 'ok' })).toBe(
    priced.length,
  );
  expect(sum(run.samples, 'costctl_unpriced_requests_total')).toBe(0);
}
