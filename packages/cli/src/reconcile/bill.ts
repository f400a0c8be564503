/**
 * A provider's bill as `costctl reconcile` reads it, whichever admin API it
 * came from: charges and token counts per UTC day and model.
 */

/** The providers whose organization usage and cost reports costctl reads. */
export const BILLING_PROVIDERS = ['openai', 'anthropic'] as const;
export type BillingProvider = (typeof BILLING_PROVIDERS)[number];

/** One charge of one UTC day: a model's line, or a charge not billed per model (`model` null: tools, storage). */
export interface BilledCost {
  /** YYYY-MM-DD, UTC: both providers bucket their reports by UTC day. */
  day: string;
  /** The model, canonical (see canonicalModel); null when the charge names none. */
  model: string | null;
  usd: number;
  /** The provider's name for the charge (`gpt-4o-mini-2024-07-18, input`, `Claude Haiku 4.5 Usage - Output Tokens`), when it gives one. */
  item: string | null;
}

/** What the provider counted of one model on one UTC day. */
export interface BilledUsage {
  day: string;
  model: string;
  /** Every input token: uncached, cache reads and cache writes (the ledger's `tokens.input` counts the same). */
  inputTokens: number;
  outputTokens: number;
  /** Requests, when the provider reports them (OpenAI does, Anthropic does not). */
  requests: number | undefined;
}

export interface Bill {
  costs: BilledCost[];
  usage: BilledUsage[];
}

/** Whole UTC days: `start` and `end` are UTC midnights, `end` exclusive, in ms. */
export interface DayRange {
  start: number;
  end: number;
}

/** One provider's admin API: where it is, how it authenticates, and how its two reports read. */
export interface BillingSource {
  provider: BillingProvider;
  /** `OpenAI`, `Anthropic`: for messages. */
  name: string;
  /** The API base, as the official client's `baseURL`. */
  defaultUrl: string;
  /** The environment variable that overrides it (tests, proxies). */
  urlVariable: string;
  /** The environment variable holding the admin key; the key is read from nowhere else. */
  keyVariable: string;
  /** The headers that carry `key`. */
  headers(key: string): Record<string, string>;
  /** The cost and usage report URLs for whole UTC days `range`. */
  reportUrls(base: string, range: DayRange): { costs: URL; usage: URL };
  parseCosts(page: unknown): BilledCost[];
  parseUsage(page: unknown): BilledUsage[];
}

export const DAY_MS = 86_400_000;

/**
 * The UTC date of an instant.
 *
 * @example
 * utcDay(Date.UTC(2026, 10, 20, 23, 59)) // '2026-11-20'
 */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The whole UTC days that overlap [since, until): from the midnight that
 * starts `since`'s day to the first midnight at or after `until`.
 *
 * @example
 * dayRange(Date.UTC(2026, 10, 18, 9), Date.UTC(2026, 10, 20, 15)) // 2026-11-18T00:00Z to 2026-11-21T00:00Z
 */
export function dayRange(since: number, until: number): DayRange {
  return { start: since - modulo(since, DAY_MS), end: until - modulo(until, DAY_MS) + (modulo(until, DAY_MS) === 0 ? 0 : DAY_MS) };
}

function modulo(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/**
 * A daily report's URL: `path` under `base` (trailing slashes ignored) with
 * `query`, `bucket_width=1d` and `group_by[]` — arrays in brackets, as both
 * official clients send them.
 *
 * @example
 * reportUrl('https://api.openai.com/v1/', '/organization/costs', { start_time: '1763596800' }, 'line_item').search
 * // '?start_time=1763596800&bucket_width=1d&group_by%5B%5D=line_item'
 */
export function reportUrl(base: string, path: string, query: Record<string, string>, groupBy: string): URL {
  const url = new URL(`${base.replace(/\/+$/, '')}${path}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  url.searchParams.set('bucket_width', '1d');
  url.searchParams.append('group_by[]', groupBy);
  return url;
}

/**
 * Daily buckets in `range`, the `limit` to ask for when a page holds at most `max`.
 *
 * @example
 * bucketLimit({ start: 0, end: 40 * DAY_MS }, 31) // '31'
 */
export function bucketLimit(range: DayRange, max: number): string {
  return String(Math.min(Math.max(1, Math.round((range.end - range.start) / DAY_MS)), max));
}

// A dated snapshot: OpenAI's -2024-07-18, Anthropic's -20250514.
const SNAPSHOT = /-(\d{4}-\d{2}-\d{2}|20\d{6})$/;

/**
 * The name a model is compared under: without the dated snapshot suffix,
 * since a bill names the snapshot that answered (`gpt-4o-mini-2024-07-18`,
 * `claude-sonnet-4-20250514`) while an app asks for the alias.
 *
 * @example
 * canonicalModel('gpt-4o-mini-2024-07-18') // 'gpt-4o-mini'
 * canonicalModel('claude-haiku-4-5-20251001') // 'claude-haiku-4-5'
 */
export function canonicalModel(name: string): string {
  return name.trim().replace(SNAPSHOT, '');
}
