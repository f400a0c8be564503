/**
 * GETs every page of a provider's admin report: the cursor paging both
 * OpenAI and Anthropic use (`has_more`, `next_page`, sent back as `page`),
 * retries on 429 and 5xx (waiting as `retry-after` asks, within bounds), and
 * errors that name the endpoint and the status but never a header or a key.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Bill, BillingSource, DayRange } from './bill.js';

/** Where a provider's admin API is and how to authenticate to it. */
export interface AdminApi {
  /** `OpenAI` or `Anthropic`, for messages. */
  name: string;
  /** The environment variable the key came from, for messages. */
  keyVariable: string;
  /** The admin key: sent in `headers`, scrubbed from every message. */
  key: string;
  headers: Record<string, string>;
}

export interface FetchOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Retries of one page after a 429, a 5xx or a network failure (default 4). */
  maxRetries?: number;
  /** Longest wait a `retry-after` may ask for before the command gives up instead (default 60 s). */
  maxWaitMs?: number;
  /** How long one request may take (default 30 s). */
  timeoutMs?: number;
  /** Told about each retry, e.g. to say so on stderr. */
  onRetry?: (message: string) => void;
}

/** A report could not be fetched: the message says what happened and what to do; it holds no key. */
export class BillingApiError extends Error {}

/**
 * A provider's costs and usage for whole UTC days `range`: both reports,
 * every page, one request at a time (admin APIs have low rate limits).
 *
 * @example
 * const bill = await fetchBill(openaiBilling, 'https://api.openai.com/v1', process.env.OPENAI_ADMIN_KEY!, dayRange(since, until));
 */
export async function fetchBill(source: BillingSource, base: string, key: string, range: DayRange, options: FetchOptions = {}): Promise<Bill> {
  const api: AdminApi = { name: source.name, keyVariable: source.keyVariable, key, headers: source.headers(key) };
  const urls = source.reportUrls(base, range);
  const costs = (await fetchPages(urls.costs, api, options)).flatMap((page) => source.parseCosts(page));
  const usage = (await fetchPages(urls.usage, api, options)).flatMap((page) => source.parseUsage(page));
  return { costs, usage };
}

/** A safety stop: more pages than any range of days needs means the cursor is going round. */
const MAX_PAGES = 1000;
const RETRIED = new Set([408, 409, 429, 500, 502, 503, 504, 529]);

/**
 * Every page of the report at `url`, in order, as parsed JSON.
 *
 * @example
 * const pages = await fetchPages(new URL('https://api.openai.com/v1/organization/costs?start_time=1763596800'), api);
 */
export async function fetchPages(url: URL, api: AdminApi, options: FetchOptions = {}): Promise<unknown[]> {
  const pages: unknown[] = [];
  const seen = new Set<string>();
  let next: URL | undefined = url;
  while (next !== undefined) {
    if (pages.length >= MAX_PAGES) throw new BillingApiError(`${api.name} ${where(url)} returned more than ${MAX_PAGES} pages; narrow --since/--until`);
    const page = await fetchPage(next, api, options);
    pages.push(page);
    const cursor = nextCursor(page);
    if (cursor === undefined) break;
    if (seen.has(cursor))
      throw new BillingApiError(`${api.name} ${where(url)} returned the page cursor "${cursor}" twice; the report cannot be read to its end`);
    seen.add(cursor);
    next = new URL(url);
    next.searchParams.set('page', cursor);
  }
  return pages;
}

/** The cursor of the next page, or undefined on the last one. */
function nextCursor(page: unknown): string | undefined {
  if (typeof page !== 'object' || page === null) return undefined;
  const { has_more: more, next_page: cursor } = page as { has_more?: unknown; next_page?: unknown };
  return more === true && typeof cursor === 'string' && cursor !== '' ? cursor : undefined;
}

async function fetchPage(url: URL, api: AdminApi, options: FetchOptions): Promise<unknown> {
  const get = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const maxRetries = options.maxRetries ?? 4;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  for (let attempt = 0; ; attempt++) {
    let failure: string;
    let waitMs: number | undefined;
    try {
      const response = await get(url, { headers: api.headers, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
      const text = await response.text();
      if (response.ok) return parseJson(text, url, api);
      failure = `${response.status} ${errorMessage(text, api)}`;
      if (!RETRIED.has(response.status)) throw new BillingApiError(`${api.name} ${where(url)} answered ${failure}${advice(response.status, api)}`);
      waitMs = retryAfter(response.headers);
      if (waitMs !== undefined && waitMs > maxWaitMs) {
        throw new BillingApiError(
          `${api.name} ${where(url)} answered ${failure} and asks to wait ${Math.ceil(waitMs / 1000)} s; run costctl reconcile again later`,
        );
      }
    } catch (error) {
      if (error instanceof BillingApiError) throw error;
      failure = `no answer (${scrub(describe(error), api.key)})`;
    }
    if (attempt >= maxRetries) {
      throw new BillingApiError(`${api.name} ${where(url)}: ${failure}, still after ${maxRetries + 1} attempts; try again later`);
    }
    const wait = waitMs ?? Math.min(8_000, 1_000 * 2 ** attempt);
    options.onRetry?.(`${api.name} ${where(url)}: ${failure}; retrying in ${(wait / 1000).toFixed(1)} s (${attempt + 1}/${maxRetries})`);
    await sleep(wait);
  }
}

/**
 * Ms the answer asks to wait: `retry-after-ms`, or `retry-after` in seconds or as an HTTP date.
 *
 * @example
 * retryAfter(new Headers({ 'retry-after': '2' })) // 2000
 */
export function retryAfter(headers: Headers): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && /^\s*\d/.test(value)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The endpoint, never its query's secrets nor a password in the URL: origin and path. */
function where(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function parseJson(text: string, url: URL, api: AdminApi): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BillingApiError(`${api.name} ${where(url)} answered 200 with a body that is not JSON; is the admin API URL right?`);
  }
}

/** The provider's own error message (both put it at `error.message`), scrubbed, or the start of the body. */
function errorMessage(text: string, api: AdminApi): string {
  let message = text.slice(0, 200);
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // Not JSON (a proxy's HTML page): its start says enough.
  }
  return scrub(message.replace(/\s+/g, ' ').trim(), api.key) || '(no message)';
}

function advice(status: number, api: AdminApi): string {
  if (status === 401 || status === 403) return `; check that ${api.keyVariable} holds an admin key of the organization (not a project or workspace API key)`;
  if (status === 404) return '; check the admin API URL (COSTCTL_OPENAI_ADMIN_URL / COSTCTL_ANTHROPIC_ADMIN_URL)';
  return '';
}

/**
 * `text` with the key, and anything shaped like a provider key (even
 * masked, as providers echo them in 401 messages), replaced by `[redacted]`.
 *
 * @example
 * scrub('Incorrect API key provided: sk-admin-****abcd', 'sk-admin-123') // 'Incorrect API key provided: [redacted]'
 */
export function scrub(text: string, key: string): string {
  const without = key.length > 0 ? text.split(key).join('[redacted]') : text;
  return without.replace(/\b(sk|key)-[A-Za-z0-9_*.-]{4,}/g, '[redacted]');
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    return typeof cause?.code === 'string' ? `${error.message}: ${cause.code}` : error.message;
  }
  return String(error);
}
