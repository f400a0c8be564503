import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ModelPrice } from '../config/schema.js';
import { adapterByName } from '../providers/registry.js';
import { PriceTable } from '../pricing/price-table.js';

export interface ModelQuote {
  usd: number;
  /** The model id the price was found under. */
  pricedModel: string;
  /** `override` (the config's prices) or the price data's package and version. */
  source: string;
}

/** The price data's package and version; its exports hide package.json, so it is read beside the entry point. */
const priceData = (() => {
  try {
    const entry = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
    const { version } = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
    return `@pydantic/genai-prices ${version}`;
  } catch {
    return '@pydantic/genai-prices';
  }
})();

/**
 * What a call costs on a model: the same lookup costctl does for every call,
 * for the CLI's `costctl price` and for planning.
 *
 * @example
 * priceModel({ provider: 'openai', model: 'gpt-4o-mini', input: 1000, output: 500 });
 * // { usd: 0.00045, pricedModel: 'gpt-4o-mini', source: '@pydantic/genai-prices 0.1.8' }
 */
export function priceModel(query: {
  provider: string;
  model: string;
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  prices?: Record<string, Record<string, ModelPrice>>;
}): ModelQuote | undefined {
  const adapter = adapterByName(query.provider);
  if (adapter === undefined) return undefined;
  const table = new PriceTable(query.prices);
  const usage = { input: query.input, output: query.output, cacheRead: query.cacheRead ?? 0, cacheWrite: query.cacheWrite ?? 0, reasoning: 0 };
  const price = table.price(adapter.name, adapter.pricingId, query.model, usage);
  if (price === undefined) return undefined;
  const override = query.prices?.[adapter.name]?.[query.model] !== undefined;
  return { usd: price.usd, pricedModel: price.model, source: override ? 'override' : priceData };
}
