/**
 * Anthropic's Usage & Cost Admin API, as the fake billing server answers it:
 * `GET /v1/organizations/cost_report` (amounts in cents as decimal strings;
 * model, token type and description only when grouped by `description`)
 * and `GET /v1/organizations/usage_report/messages` (tokens by model), daily
 * buckets with cursor paging.
 */
import { type BilledDay, DAY_SECONDS, type DayPage, dayOf, splitCost, total, usageGroups } from './days.js';
import type { ReportQuery } from './openai-admin.js';

/** The API's bound on `limit` for daily buckets, both reports. */
export const ANTHROPIC_MAX_LIMIT = 31;

/** The `starting_at`/`ending_at` of a request (RFC 3339), in Unix seconds; the end defaults to now. */
export function anthropicSpan(query: URLSearchParams, now: number): { start: number; end: number } | string {
  const start = Date.parse(query.get('starting_at') ?? '');
  if (Number.isNaN(start)) return 'starting_at: Field required (an RFC 3339 timestamp)';
  const end = query.has('ending_at') ? Date.parse(query.get('ending_at')!) : now;
  if (Number.isNaN(end) || end <= start) return 'ending_at: must be an RFC 3339 timestamp after starting_at';
  return { start: Math.floor(start / 1000), end: Math.floor(end / 1000) };
}

/** Cents as a decimal string, as the cost report writes amounts: $1.2345 → "123.45". */
function cents(usd: number): string {
  return String(Number((usd * 100).toPrecision(12)));
}

/**
 * The name the cost report's descriptions give a model: `claude-3-5-haiku-20241022` → `Claude 3.5 Haiku`.
 *
 * @example
 * displayName('claude-haiku-4-5-20251001') // 'Claude Haiku 4.5'
 */
export function displayName(model: string): string {
  const words: string[] = [];
  for (const part of model.replace(/-\d{8}$/, '').split('-')) {
    const last = words.at(-1);
    if (/^\d+$/.test(part) && last !== undefined && /^\d[\d.]*$/.test(last)) words[words.length - 1] = `${last}.${part}`;
    else words.push(/^\d/.test(part) ? part : part.charAt(0).toUpperCase() + part.slice(1));
  }
  return words.join(' ');
}

/**
 * A page of `cost_report`: grouped by `description`, each model's day as an
 * input and an output token charge and charges not per model as web search;
 * otherwise one total a day with every grouping field null.
 */
export function anthropicCostPage(records: readonly BilledDay[], query: ReportQuery, cursor: (start: number) => string): object {
  const byDescription = query.groupBy.includes('description');
  return page(query.page, cursor, (day) => {
    const on = records.filter((record) => record.day === day);
    if (!byDescription) return on.length === 0 ? [] : [cost(total(on, 'usd'), {})];
    return on.flatMap((record) => {
      if (record.model === null) return [cost(record.usd, { description: record.description ?? 'Web Search', cost_type: 'web_search' })];
      const { input, output } = splitCost(record);
      const name = displayName(record.model);
      const token = { cost_type: 'tokens', model: record.model, service_tier: 'standard', context_window: '0-200k' };
      return [
        cost(input, { ...token, description: `${name} Usage - Input Tokens`, token_type: 'uncached_input_tokens' }),
        cost(output, { ...token, description: `${name} Usage - Output Tokens`, token_type: 'output_tokens' }),
      ];
    });
  });
}

function cost(usd: number, fields: Record<string, string>): object {
  return {
    amount: cents(usd),
    currency: 'USD',
    workspace_id: null,
    description: null,
    cost_type: null,
    context_window: null,
    model: null,
    service_tier: null,
    token_type: null,
    ...fields,
  };
}

/** A page of `usage_report/messages`: tokens by model when grouped so, else one total a day. */
export function anthropicMessagesPage(records: readonly BilledDay[], query: ReportQuery, cursor: (start: number) => string): object {
  const byModel = query.groupBy.includes('model');
  return page(query.page, cursor, (day) => {
    return usageGroups(records, day, byModel).map((group) => ({
      uncached_input_tokens: total(group, 'inputTokens'),
      cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
      cache_read_input_tokens: 0,
      output_tokens: total(group, 'outputTokens'),
      server_tool_use: { web_search_requests: 0 },
      model: byModel ? group[0]!.model : null,
      api_key_id: null,
      workspace_id: null,
      service_tier: null,
      context_window: null,
    }));
  });
}

function page(days: DayPage, cursor: (start: number) => string, results: (day: string) => object[]): object {
  const at = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  return {
    data: days.starts.map((start) => ({ starting_at: at(start), ending_at: at(start + DAY_SECONDS), results: results(dayOf(start)) })),
    has_more: days.next !== undefined,
    next_page: days.next === undefined ? null : cursor(days.next),
  };
}

/** Anthropic's error body. */
export function anthropicError(type: string, message: string): object {
  return { type: 'error', error: { type, message } };
}
