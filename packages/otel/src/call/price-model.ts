import type { ModelPrice } from '../config/schema.js';
import { adapterByName } from '../providers/registry.js';
import { PriceTable } from '../pricing/price-table.js';
import { activePriceData, REQUIRED_PROVIDERS, usePriceData } from '../pricing/price-data.js';
import { loadStoredPriceData } from '../pricing/price-data-file.js';

export interface ModelQuote {
  usd: number;
  /** The model id the price was found under. */
  pricedModel: string;
  /** `override` (the config's prices), the bundled price data's package and version, or the state directory's price data file and version. */
  source: string;
}

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
  /** Price with this state directory's price data (`costctl prices update`) when it has some, as its processes do. */
  stateDir?: string;
}): ModelQuote | undefined {
  const adapter = adapterByName(query.provider);
  if (adapter === undefined) return undefined;
  if (query.stateDir !== undefined) {
    const stored = loadStoredPriceData(query.stateDir, REQUIRED_PROVIDERS);
    if (stored?.ok) usePriceData(stored.value);
  }
  const table = new PriceTable(query.prices);
  const usage = { input: query.input, output: query.output, cacheRead: query.cacheRead ?? 0, cacheWrite: query.cacheWrite ?? 0, reasoning: 0 };
  const price = table.price(adapter.name, adapter.pricingId, query.model, usage);
  if (price === undefined) return undefined;
  const override = query.prices?.[adapter.name]?.[query.model] !== undefined;
  const data = activePriceData();
  const source = data.source === 'bundled' ? `${data.origin} ${data.version}` : `${data.path ?? 'state directory'} ${data.version}`;
  return { usd: price.usd, pricedModel: price.model, source: override ? 'override' : source };
}
