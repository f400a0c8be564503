/**
 * The price data in use: the data bundled with `@pydantic/genai-prices`, or
 * a newer file an operator put into the state directory
 * (`costctl prices update`). Every price lookup of this process reads the
 * data in use; `usePriceData` swaps it in one synchronous step, so a call is
 * priced wholly by the old data or wholly by the new.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { calcPrice, REMOTE_DATA_JSON_URL, updatePrices, waitForUpdate, type Provider } from '@pydantic/genai-prices';

/** Where the data in use came from: a bounded label value of `costctl.price_data.age`. */
export type PriceDataSource = 'bundled' | 'state_dir';

/** What `costctl prices status` shows of the data in use. */
export interface PriceDataInfo {
  source: PriceDataSource;
  /** `sha256:` and the first 16 hex digits of the data file, or the bundled package's version. */
  version: string;
  /** When the data was current, ISO 8601: the package's publication for the bundled data; else the file's Last-Modified (URL) or mtime (file), or when it was fetched. */
  asOf: string;
  /** The URL or file it was fetched from, or the bundled package's name. */
  origin: string;
  /** When `costctl prices update` fetched it (state directory only). */
  fetchedAt?: string;
  /** The state-directory file it is read from (state directory only). */
  path?: string;
  providers: number;
  models: number;
}

/** Price data that passed `validatePriceData`, with what is known of it. */
export interface PriceData {
  providers: Provider[];
  info: PriceDataInfo;
}

/** The price data's providers costctl cannot price without: those of its built-in adapters. */
export const REQUIRED_PROVIDERS: readonly string[] = [
  'openai',
  'anthropic',
  'google',
  'aws',
  'azure',
  'mistral',
  'cohere',
  'groq',
  'deepseek',
  'x-ai',
  'openrouter',
  'together',
  'fireworks',
];

/** genai-prices' published data, the newest: the default source of `costctl prices update`. */
export const PRICE_DATA_URL: string = REMOTE_DATA_JSON_URL;

const PACKAGE = '@pydantic/genai-prices';

/**
 * When each version of the bundled package was published (npm's `time`):
 * the age of the data it bundles. A test fails when the installed version
 * is missing here.
 */
export const BUNDLED_PUBLISHED: Readonly<Record<string, string>> = Object.freeze({
  '0.1.8': '2026-09-23T10:11:04.622Z',
});

/** The bundled data as the package loaded it, taken before any swap (the promise has settled before any later tick). */
let bundledProviders: Provider[] | undefined;
void waitForUpdate().then((providers) => (bundledProviders = providers ?? undefined));

let active: PriceDataInfo | undefined;

/**
 * Bumped at every swap: a cache of resolved prices compares it with the
 * value it was filled under (one integer compare per call), and empties
 * itself when the data changed.
 */
export let priceDataGeneration = 0;

/**
 * What is known of the bundled data: the package's version and publication.
 *
 * @example
 * bundledPriceDataInfo() // { source: 'bundled', version: '0.1.8', asOf: '2026-09-23T10:11:04.622Z', origin: '@pydantic/genai-prices', … }
 */
export function bundledPriceDataInfo(): PriceDataInfo {
  const version = bundledVersion();
  // A version this table does not know is dated as the newest it does: stale sooner rather than later.
  const asOf = BUNDLED_PUBLISHED[version] ?? Object.values(BUNDLED_PUBLISHED).sort().at(-1)!;
  return { source: 'bundled', version, asOf, origin: PACKAGE, providers: 0, models: 0 };
}

/**
 * The number of providers and models in the bundled data, whatever the data in use.
 *
 * @example
 * await bundledPriceDataCounts() // { providers: 43, models: 1694 }
 */
export async function bundledPriceDataCounts(): Promise<{ providers: number; models: number }> {
  // Before the first tick nothing can have been swapped in: the package's data is still the bundled one.
  return countModels(bundledProviders ?? (await waitForUpdate()) ?? []);
}

/** The version of the bundled package; its exports hide package.json, so it is read beside the entry point. */
export function bundledVersion(): string {
  try {
    const entry = createRequire(import.meta.url).resolve(PACKAGE);
    return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * The data in use in this process.
 *
 * @example
 * activePriceData().source // 'bundled'
 */
export function activePriceData(): PriceDataInfo {
  return (active ??= bundledPriceDataInfo());
}

/**
 * Makes `data` the price data of every lookup in this process, at once.
 *
 * @example
 * usePriceData(validated);
 */
export function usePriceData(data: PriceData): void {
  updatePrices(({ setProviderData }) => setProviderData(data.providers));
  active = data.info;
  priceDataGeneration++;
}

/**
 * Goes back to the bundled data (the state directory's file was removed).
 *
 * @example
 * useBundledPriceData();
 */
export function useBundledPriceData(): void {
  if (active === undefined || active.source === 'bundled' || bundledProviders === undefined) return;
  const providers = bundledProviders;
  updatePrices(({ setProviderData }) => setProviderData(providers));
  active = bundledPriceDataInfo();
  priceDataGeneration++;
}

/** The age of the data in use, in seconds, at `now`. */
export function priceDataAgeSeconds(info: PriceDataInfo, now: number): number {
  return Math.max(0, (now - Date.parse(info.asOf)) / 1000);
}

/**
 * Checks that `json` is price data in genai-prices' format that costctl can
 * price with: a list of providers, each with its models and their prices
 * well formed, holding every provider in `required`. Returns the providers,
 * or the first problem in one line that says where it is.
 *
 * @example
 * validatePriceData(JSON.parse(text), REQUIRED_PROVIDERS) // { providers: [...] } or { problem: 'providers[2].models[0].prices.input_mtok: …' }
 */
export function validatePriceData(json: unknown, required: readonly string[]): { providers: Provider[]; problem?: undefined } | { problem: string } {
  if (!Array.isArray(json)) return { problem: `expected a JSON list of providers (genai-prices' data.json), got ${kind(json)}` };
  if (json.length === 0) return { problem: 'the list of providers is empty' };
  for (const [i, provider] of json.entries()) {
    const problem = providerProblem(provider, `providers[${i}]`);
    if (problem !== undefined) return { problem };
  }
  const providers = json as Provider[];
  const ids = new Set(providers.map((provider) => provider.id));
  const missing = required.filter((id) => !ids.has(id));
  if (missing.length > 0) return { problem: `it lacks providers costctl prices calls of: ${missing.join(', ')}` };
  for (const id of required) {
    const provider = providers.find((candidate) => candidate.id === id)!;
    if (provider.models.length === 0) return { problem: `provider ${id} has no models` };
  }
  // The price engine's own reading of each provider (date and time-of-day constraints), as a lookup would.
  for (const provider of providers) {
    try {
      calcPrice({ input_tokens: 0, output_tokens: 0 }, provider.models[0]?.id ?? '', { provider });
    } catch (error) {
      return { problem: `provider ${provider.id}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return { providers };
}

/**
 * The number of providers and models in `providers`.
 *
 * @example
 * countModels(providers) // { providers: 38, models: 1210 }
 */
export function countModels(providers: readonly Provider[]): { providers: number; models: number } {
  return { providers: providers.length, models: providers.reduce((sum, provider) => sum + provider.models.length, 0) };
}

function providerProblem(provider: unknown, at: string): string | undefined {
  if (!isRecord(provider)) return `${at}: expected a provider object, got ${kind(provider)}`;
  for (const key of ['id', 'name', 'api_pattern'] as const) {
    if (typeof provider[key] !== 'string' || provider[key] === '') return `${at}.${key}: expected a non-empty string, got ${kind(provider[key])}`;
  }
  const where = `${at} (${String(provider.id)})`;
  if (!Array.isArray(provider.models)) return `${where}.models: expected a list of models, got ${kind(provider.models)}`;
  for (const [j, model] of provider.models.entries()) {
    const problem = modelProblem(model, `${where}.models[${j}]`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function modelProblem(model: unknown, at: string): string | undefined {
  if (!isRecord(model)) return `${at}: expected a model object, got ${kind(model)}`;
  if (typeof model.id !== 'string' || model.id === '') return `${at}.id: expected a non-empty string, got ${kind(model.id)}`;
  const where = `${at} (${model.id})`;
  if (!isRecord(model.match)) return `${where}.match: expected a match object, got ${kind(model.match)}`;
  if (Array.isArray(model.prices)) {
    if (model.prices.length === 0) return `${where}.prices: expected at least one price`;
    for (const [k, conditional] of model.prices.entries()) {
      if (!isRecord(conditional)) return `${where}.prices[${k}]: expected {prices, constraint?}, got ${kind(conditional)}`;
      const problem = pricesProblem(conditional.prices, `${where}.prices[${k}].prices`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return pricesProblem(model.prices, `${where}.prices`);
}

function pricesProblem(prices: unknown, at: string): string | undefined {
  if (!isRecord(prices)) return `${at}: expected an object of prices, got ${kind(prices)}`;
  for (const [key, value] of Object.entries(prices)) {
    if (isPrice(value)) continue;
    if (
      isRecord(value) &&
      isPrice(value.base) &&
      Array.isArray(value.tiers) &&
      value.tiers.every((tier) => isRecord(tier) && Number.isSafeInteger(tier.start) && (tier.start as number) >= 0 && isPrice(tier.price))
    )
      continue;
    return `${at}.${key}: expected a price (a number of USD, 0 or more) or tiered prices {base, tiers}, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

function isPrice(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return typeof value === 'undefined' ? 'nothing' : String(value);
}
