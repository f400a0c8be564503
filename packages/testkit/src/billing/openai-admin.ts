/**
 * OpenAI's organization admin reports, as the fake billing server answers
 * them: `GET /v1/organization/costs` (USD as `amount.value`, line items
 * `<model>, input|output`) and `GET /v1/organization/usage/completions`
 * (tokens and requests by model), daily buckets with cursor paging.
 */
import { type BilledDay, DAY_SECONDS, type DayPage, dayOf, splitCost, total, usageGroups } from './days.js';

/** What one report request asks, once read from its query. */
export interface ReportQuery {
  page: DayPage;
  groupBy: readonly string[];
}

/** The API's own bounds on `limit`, by report. */
export const OPENAI_MAX_LIMIT = { costs: 180, completions: 31 } as const;

/** The `start_time`/`end_time` of a request: Unix seconds, end exclusive; the end defaults to now. */
export function openaiSpan(query: URLSearchParams, now: number): { start: number; end: number } | string {
  const start = Number(query.get('start_time'));
  if (!query.has('start_time') || !Number.isInteger(start)) return 'start_time is required: Unix seconds, inclusive';
  const end = query.has('end_time') ? Number(query.get('end_time')) : Math.floor(now / 1000);
  if (!Number.isInteger(end) || end <= start) return 'end_time must be Unix seconds after start_time';
  return { start, end };
}

/**
 * A page of `/organization/costs`: one bucket a day; grouped by `line_item`,
 * each model's day in an input and an output line, charges not per model
 * under their own name; otherwise one total a day.
 */
export function openaiCostsPage(records: readonly BilledDay[], query: ReportQuery, cursor: (start: number) => string): object {
  const byLine = query.groupBy.includes('line_item');
  return page(query.page, cursor, (day) => {
    const on = records.filter((record) => record.day === day);
    if (!byLine) return on.length === 0 ? [] : [cost(total(on, 'usd'), null)];
    return on.flatMap((record) => {
      if (record.model === null) return [cost(record.usd, record.description ?? 'Web search tool calls')];
      const { input, output } = splitCost(record);
      return [cost(input, `${record.model}, input`, record.inputTokens), cost(output, `${record.model}, output`, record.outputTokens)];
    });
  });
}

function cost(value: number, lineItem: string | null, quantity?: number): object {
  return {
    object: 'organization.costs.result',
    amount: { value, currency: 'usd' },
    line_item: lineItem,
    project_id: null,
    ...(lineItem === null ? {} : { quantity: quantity ?? null, quantity_unit: quantity === undefined ? null : 'tokens' }),
  };
}

/** A page of `/organization/usage/completions`: tokens and requests by model when grouped so, else one total a day. */
export function openaiCompletionsPage(records: readonly BilledDay[], query: ReportQuery, cursor: (start: number) => string): object {
  const byModel = query.groupBy.includes('model');
  return page(query.page, cursor, (day) => {
    return usageGroups(records, day, byModel).map((group) => ({
      object: 'organization.usage.completions.result',
      input_tokens: total(group, 'inputTokens'),
      output_tokens: total(group, 'outputTokens'),
      input_cached_tokens: 0,
      input_audio_tokens: 0,
      output_audio_tokens: 0,
      num_model_requests: total(group, 'requests'),
      project_id: null,
      user_id: null,
      api_key_id: null,
      model: byModel ? group[0]!.model : null,
      batch: null,
    }));
  });
}

function page(days: DayPage, cursor: (start: number) => string, results: (day: string) => object[]): object {
  return {
    object: 'page',
    data: days.starts.map((start) => ({ object: 'bucket', start_time: start, end_time: start + DAY_SECONDS, results: results(dayOf(start)) })),
    has_more: days.next !== undefined,
    next_page: days.next === undefined ? null : cursor(days.next),
  };
}

/** OpenAI's error body. */
export function openaiError(message: string, type: string, code: string | null): object {
  return { error: { message, type, param: null, code } };
}
