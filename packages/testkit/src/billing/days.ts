/**
 * What the fake billing server bills, and the daily buckets and cursor
 * paging both admin APIs share.
 */

/** One model's bill on one UTC day, or a charge not billed per model. */
export interface BilledDay {
  /** YYYY-MM-DD, UTC. */
  day: string;
  /** The model as the provider bills it (`gpt-4o-mini-2024-07-18`); null for a charge not per model (web search). */
  model: string | null;
  /** What the day cost, USD. */
  usd: number;
  /** Tokens counted by the usage report (every input token, cached included); a model without them is in the cost report only. */
  inputTokens?: number;
  outputTokens?: number;
  /** Requests (OpenAI's usage report counts them). */
  requests?: number;
  /** The name of a charge not per model, e.g. `Web search tool calls`. */
  description?: string;
}

export const DAY_SECONDS = 86_400;

/**
 * The UTC date of a bucket starting at `seconds` since the epoch.
 *
 * @example
 * dayOf(1763596800) // '2025-11-20'
 */
export function dayOf(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/**
 * The start of the UTC day containing `seconds`.
 *
 * @example
 * dayStart(1763596800 + 3600) // 1763596800
 */
export function dayStart(seconds: number): number {
  return seconds - (((seconds % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS);
}

/** One page of daily buckets: their starts, and where the next page starts (undefined on the last). */
export interface DayPage {
  starts: number[];
  next: number | undefined;
}

/**
 * The buckets of one page: days from `from` while they start before `end`, at most `limit`.
 *
 * @example
 * pageOfDays(0, 3 * DAY_SECONDS, 2) // { starts: [0, 86400], next: 172800 }
 */
export function pageOfDays(from: number, end: number, limit: number): DayPage {
  const starts: number[] = [];
  let start = dayStart(from);
  while (start < end && starts.length < limit) {
    starts.push(start);
    start += DAY_SECONDS;
  }
  return { starts, next: start < end ? start : undefined };
}

/**
 * A cursor naming the next bucket, opaque to clients like the real ones
 * (`page_` and base64 of a time).
 *
 * @example
 * decodeCursor(encodeCursor(1763596800)) // 1763596800
 */
export function encodeCursor(seconds: number): string {
  return `page_${Buffer.from(new Date(seconds * 1000).toISOString()).toString('base64')}`;
}

/** The bucket start a cursor names, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): number | undefined {
  if (!cursor.startsWith('page_')) return undefined;
  const ms = Date.parse(Buffer.from(cursor.slice('page_'.length), 'base64').toString('utf8'));
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/**
 * A model's day cost split into its input and output charges, in proportion
 * to the tokens (half each when the day has none), summing to the whole.
 *
 * @example
 * splitCost({ day: '2025-11-20', model: 'gpt-4o', usd: 1, inputTokens: 300, outputTokens: 100 }) // { input: 0.75, output: 0.25 }
 */
export function splitCost(record: BilledDay): { input: number; output: number } {
  const tokens = (record.inputTokens ?? 0) + (record.outputTokens ?? 0);
  const input = tokens === 0 ? record.usd / 2 : (record.usd * (record.inputTokens ?? 0)) / tokens;
  return { input, output: record.usd - input };
}

/**
 * The records a usage report sums on `day`: each model apart when grouped
 * by model, else all in one group (none on a day without usage).
 *
 * @example
 * usageGroups(records, '2025-11-20', true).map((group) => group[0]!.model)
 */
export function usageGroups(records: readonly BilledDay[], day: string, byModel: boolean): BilledDay[][] {
  const on = records.filter((record) => record.day === day && record.model !== null && record.inputTokens !== undefined);
  if (byModel) return on.map((record) => [record]);
  return on.length === 0 ? [] : [on];
}

/**
 * The sum of one number of every record in `group`, 0 where absent.
 *
 * @example
 * total(usageGroups(records, '2025-11-20', false)[0] ?? [], 'outputTokens')
 */
export function total(group: readonly BilledDay[], field: 'usd' | 'inputTokens' | 'outputTokens' | 'requests'): number {
  return group.reduce((sum, record) => sum + (record[field] ?? 0), 0);
}
