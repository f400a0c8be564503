/**
 * The state directory's price data file: fetched from a URL or a file,
 * validated, and swapped in atomically (a temporary file, fsync, rename), so
 * a process reading it sees the old file or the new one, never a part.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Provider } from '@pydantic/genai-prices';
import { countModels, validatePriceData, type PriceData, type PriceDataInfo } from './price-data.js';

/** The file's name in the state directory. */
export const PRICE_DATA_FILE = 'prices.json';

/** Marks a file as costctl's: genai-prices' data with what is known of it. */
const FORMAT = 'costctl.price-data/1';

/** What the state directory's file holds. */
interface StoredPriceData {
  format: typeof FORMAT;
  version: string;
  origin: string;
  asOf: string;
  fetchedAt: string;
  providers: Provider[];
}

/** Price data as fetched, before it is validated. */
export interface FetchedPriceData {
  text: string;
  /** The URL, or the file's absolute path. */
  origin: string;
  /** The Last-Modified of a URL, or a file's mtime, when known. */
  modified: string | undefined;
}

/** The result of an operation that either did what it says or changed nothing, with why in one line. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * The state directory's price data file.
 *
 * @example
 * priceDataPath('/srv/app/.costctl') // '/srv/app/.costctl/prices.json'
 */
export function priceDataPath(stateDir: string): string {
  return join(stateDir, PRICE_DATA_FILE);
}

/**
 * Reads price data from an http(s) URL or a file.
 *
 * @example
 * await fetchPriceData('https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json', process.cwd())
 */
export async function fetchPriceData(from: string, cwd: string): Promise<Outcome<FetchedPriceData>> {
  if (/^https?:\/\//i.test(from)) {
    let response: Response;
    try {
      response = await fetch(from, { signal: AbortSignal.timeout(60_000) });
    } catch (error) {
      return { ok: false, problem: `could not fetch ${from}: ${reason(error)}` };
    }
    if (!response.ok) return { ok: false, problem: `could not fetch ${from}: HTTP ${response.status} ${response.statusText}`.trim() };
    const text = await response.text();
    const lastModified = response.headers.get('last-modified');
    const modified = lastModified === null || Number.isNaN(Date.parse(lastModified)) ? undefined : new Date(lastModified).toISOString();
    return { ok: true, value: { text, origin: from, modified } };
  }
  const path = resolve(cwd, from.replace(/^file:\/\//, ''));
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { ok: true, value: { text, origin: path, modified: info.mtime.toISOString() } };
  } catch (error) {
    return { ok: false, problem: `could not read ${path}: ${reason(error)}` };
  }
}

/**
 * Parses and validates fetched data; its version is the hash of its bytes.
 *
 * @example
 * preparePriceData(fetched, Date.now(), REQUIRED_PROVIDERS) // { ok: true, value: { providers, info } }
 */
export function preparePriceData(fetched: FetchedPriceData, now: number, required: readonly string[]): Outcome<PriceData> {
  let json: unknown;
  try {
    json = JSON.parse(fetched.text);
  } catch (error) {
    return { ok: false, problem: `${fetched.origin} is not JSON: ${reason(error)}` };
  }
  const valid = validatePriceData(json, required);
  if (valid.problem !== undefined) return { ok: false, problem: `${fetched.origin} is not usable price data: ${valid.problem}` };
  const fetchedAt = new Date(now).toISOString();
  const info: PriceDataInfo = {
    source: 'state_dir',
    version: `sha256:${createHash('sha256').update(fetched.text).digest('hex').slice(0, 16)}`,
    origin: fetched.origin,
    // Data dated in the future (a clock, a header) is as old as the fetch.
    asOf: fetched.modified !== undefined && Date.parse(fetched.modified) <= now ? fetched.modified : fetchedAt,
    fetchedAt,
    ...countModels(valid.providers),
  };
  return { ok: true, value: { providers: valid.providers, info } };
}

/**
 * Writes `data` as the state directory's price data: to a temporary file
 * beside it, flushed to disk, then renamed over the old one, and the
 * directory flushed, so the swap survives a crash and no reader sees a part.
 *
 * @example
 * const path = await writePriceData('.costctl', data);
 */
export async function writePriceData(stateDir: string, data: PriceData): Promise<string> {
  mkdirSync(stateDir, { recursive: true });
  const path = priceDataPath(stateDir);
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const stored: StoredPriceData = {
    format: FORMAT,
    version: data.info.version,
    origin: data.info.origin,
    asOf: data.info.asOf,
    fetchedAt: data.info.fetchedAt ?? new Date().toISOString(),
    providers: data.providers,
  };
  const file = await open(temporary, 'w', 0o644);
  try {
    await file.writeFile(JSON.stringify(stored));
    await file.sync();
  } catch (error) {
    await file.close();
    await unlink(temporary).catch(() => {});
    throw error;
  }
  await file.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
  const directory = await open(stateDir, 'r');
  try {
    await directory.sync();
  } catch {
    // Some file systems cannot flush a directory; the rename itself stands.
  } finally {
    await directory.close();
  }
  return path;
}

/**
 * A state directory's price data file, parsed and validated: the data, or
 * why it cannot be used.
 *
 * @example
 * readStoredPriceData(readFileSync(path, 'utf8'), path, REQUIRED_PROVIDERS)
 */
export function readStoredPriceData(text: string, path: string, required: readonly string[]): Outcome<PriceData> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `${path} is not JSON: ${reason(error)}` };
  }
  const stored = json as Partial<StoredPriceData> | null;
  if (typeof stored !== 'object' || stored === null || stored.format !== FORMAT) {
    return { ok: false, problem: `${path} is not a costctl price data file (write it with costctl prices update)` };
  }
  const valid = validatePriceData(stored.providers, required);
  if (valid.problem !== undefined) return { ok: false, problem: `${path} is not usable price data: ${valid.problem}` };
  const field = (key: keyof StoredPriceData) => (typeof stored[key] === 'string' ? (stored[key] as string) : 'unknown');
  const fetchedAt = field('fetchedAt');
  const info: PriceDataInfo = {
    source: 'state_dir',
    version: field('version'),
    origin: field('origin'),
    asOf: Number.isNaN(Date.parse(field('asOf'))) ? fetchedAt : field('asOf'),
    fetchedAt,
    path,
    ...countModels(valid.providers),
  };
  return { ok: true, value: { providers: valid.providers, info } };
}

/**
 * The state directory's price data, read at start-up (synchronously, once).
 *
 * @example
 * loadStoredPriceData('.costctl', REQUIRED_PROVIDERS) // undefined: no file
 */
export function loadStoredPriceData(stateDir: string, required: readonly string[]): Outcome<PriceData> | undefined {
  const path = priceDataPath(stateDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { ok: false, problem: `could not read ${path}: ${reason(error)}` };
  }
  return readStoredPriceData(text, path, required);
}

function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code !== undefined) return cause.code;
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
