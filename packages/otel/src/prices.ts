import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { CostctlConfig } from './config/schema.js';
import { fetchPriceData, loadStoredPriceData, preparePriceData, priceDataPath, writePriceData } from './pricing/price-data-file.js';
import {
  bundledPriceDataCounts,
  bundledPriceDataInfo,
  PRICE_DATA_URL,
  priceDataAgeSeconds,
  REQUIRED_PROVIDERS,
  type PriceDataInfo,
} from './pricing/price-data.js';

/** The price data a process sharing the state directory prices with, as `costctl prices status` shows it. */
export interface PriceDataStatus extends PriceDataInfo {
  /** The state directory's file, or the bundled package's directory. */
  path: string;
  ageSeconds: number;
  /** Older than `priceDataMaxAgeDays` (never when that is 0). */
  stale: boolean;
  maxAgeDays: number;
  /** Why the state directory's file is not used, when there is one that does not validate. */
  ignored?: string;
}

/** What `updatePriceData` did: the data now in the state directory, or why nothing changed. */
export type PriceDataUpdate = { ok: true; path: string; data: PriceDataInfo; previous: PriceDataStatus } | { ok: false; problem: string };

/**
 * The price data processes sharing `config.stateDir` price calls with: the
 * state directory's file when it validates, else the bundled data.
 *
 * @example
 * const status = await priceDataStatus(loadConfig());
 * status.source // 'bundled'
 */
export async function priceDataStatus(config: CostctlConfig, now = Date.now()): Promise<PriceDataStatus> {
  const stored = loadStoredPriceData(config.stateDir, REQUIRED_PROVIDERS);
  const withAge = (info: PriceDataInfo, path: string): PriceDataStatus => {
    const ageSeconds = Math.round(priceDataAgeSeconds(info, now));
    return {
      ...info,
      path,
      ageSeconds,
      stale: config.priceDataMaxAgeDays > 0 && ageSeconds >= config.priceDataMaxAgeDays * 86_400,
      maxAgeDays: config.priceDataMaxAgeDays,
    };
  };
  if (stored?.ok) return withAge(stored.value.info, priceDataPath(config.stateDir));
  const bundled = { ...bundledPriceDataInfo(), ...(await bundledPriceDataCounts()) };
  const status = withAge(bundled, dirname(dirname(createRequire(import.meta.url).resolve(bundled.origin))));
  return stored === undefined ? status : { ...status, ignored: stored.problem };
}

/**
 * Fetches price data in genai-prices' format from `from` (an http(s) URL or
 * a file; by default genai-prices' published data), validates it, and
 * swaps it atomically into the state directory, where every process
 * sharing it picks it up without a restart. Data that does not validate
 * changes nothing: the result says why in one line.
 *
 * @example
 * const update = await updatePriceData(loadConfig(), { from: './data.json' });
 * if (!update.ok) console.error(update.problem);
 */
export async function updatePriceData(config: CostctlConfig, options: { from?: string; cwd?: string; now?: number } = {}): Promise<PriceDataUpdate> {
  const previous = await priceDataStatus(config, options.now);
  const fetched = await fetchPriceData(options.from ?? PRICE_DATA_URL, options.cwd ?? process.cwd());
  if (!fetched.ok) return fetched;
  const prepared = preparePriceData(fetched.value, options.now ?? Date.now(), REQUIRED_PROVIDERS);
  if (!prepared.ok) return prepared;
  let path: string;
  try {
    path = await writePriceData(config.stateDir, prepared.value);
  } catch (error) {
    return { ok: false, problem: `could not write the price data into ${config.stateDir}: ${(error as Error).message}` };
  }
  return { ok: true, path, data: { ...prepared.value.info, path }, previous };
}

export { PRICE_DATA_URL };
