/**
 * OpenAI's bill from its organization admin API (an admin key, `sk-admin-…`):
 *
 *   GET {base}/organization/costs             daily USD by line item (`amount.value`, dollars)
 *   GET {base}/organization/usage/completions daily tokens and requests by model
 *
 * Both take `start_time`/`end_time` (Unix seconds, end exclusive),
 * `bucket_width=1d`, `group_by[]`, `limit` (buckets per page: costs up to
 * 180, usage up to 31 at 1d) and `page` (the previous page's `next_page`).
 * Line items read `<model snapshot>, <kind>` (`gpt-4o-mini-2024-07-18, input`);
 * others (`Web search tool calls`) are charges not billed per model.
 */
import { type BilledCost, type BilledUsage, type BillingSource, type DayRange, bucketLimit, canonicalModel, reportUrl, utcDay } from './bill.js';
import { ReportShapeError, Shape } from './report-shape.js';

/** OpenAI's API base, as the official client's `baseURL` (paths follow `/v1`). */
export const OPENAI_ADMIN_URL = 'https://api.openai.com/v1';

/**
 * The two report URLs for whole UTC days `range`, grouped for reconciliation.
 *
 * @example
 * openaiReportUrls('https://api.openai.com/v1', dayRange(since, until)).costs.pathname // '/v1/organization/costs'
 */
export function openaiReportUrls(base: string, range: DayRange): { costs: URL; usage: URL } {
  const span = { start_time: String(range.start / 1000), end_time: String(range.end / 1000) };
  return {
    costs: reportUrl(base, '/organization/costs', { ...span, limit: bucketLimit(range, 180) }, 'line_item'),
    usage: reportUrl(base, '/organization/usage/completions', { ...span, limit: bucketLimit(range, 31) }, 'model'),
  };
}

/**
 * The charges of one page of `/organization/costs`, grouped by `line_item`.
 *
 * @example
 * parseOpenAICosts({ object: 'page', data: [{ start_time: 1763596800, end_time: 1763683200, results: [
 *   { object: 'organization.costs.result', amount: { value: 0.25, currency: 'usd' }, line_item: 'gpt-4o-mini-2024-07-18, input' }] }],
 *   has_more: false, next_page: null })
 * // [{ day: '2025-11-20', model: 'gpt-4o-mini', usd: 0.25, item: 'gpt-4o-mini-2024-07-18, input' }]
 */
export function parseOpenAICosts(page: unknown): BilledCost[] {
  const costs: BilledCost[] = [];
  for (const bucket of new Shape(page, 'OpenAI /organization/costs').list('data')) {
    const day = utcDay(bucket.number('start_time') * 1000);
    for (const result of bucket.list('results')) {
      const amount = result.optionalObject('amount');
      const currency = amount?.optionalString('currency');
      if (currency && currency.toLowerCase() !== 'usd') {
        throw new ReportShapeError(`OpenAI /organization/costs: a charge on ${day} is in ${currency}; costctl reconciles USD bills only`);
      }
      const item = result.optionalString('line_item');
      costs.push({ day, model: modelOfLineItem(item), usd: amount?.optionalNumber('value') ?? 0, item });
    }
  }
  return costs;
}

/**
 * The model a cost line item names (`gpt-4o-mini-2024-07-18, cached input` → `gpt-4o-mini`), or null.
 *
 * @example
 * modelOfLineItem('o3-2025-04-16, output') // 'o3'
 * modelOfLineItem('Web search tool calls') // null
 */
export function modelOfLineItem(item: string | null): string | null {
  if (item === null) return null;
  const comma = item.indexOf(', ');
  const model = comma === -1 ? '' : item.slice(0, comma);
  return /^[A-Za-z0-9][\w.:/-]*$/.test(model) ? canonicalModel(model) : null;
}

/**
 * The token counts of one page of `/organization/usage/completions`, grouped by `model`.
 *
 * @example
 * parseOpenAIUsage({ object: 'page', data: [{ start_time: 1763596800, end_time: 1763683200, results: [
 *   { object: 'organization.usage.completions.result', input_tokens: 120, output_tokens: 40, num_model_requests: 2, model: 'gpt-4o-mini-2024-07-18' }] }],
 *   has_more: false, next_page: null })
 * // [{ day: '2025-11-20', model: 'gpt-4o-mini', inputTokens: 120, outputTokens: 40, requests: 2 }]
 */
export function parseOpenAIUsage(page: unknown): BilledUsage[] {
  const usage: BilledUsage[] = [];
  for (const bucket of new Shape(page, 'OpenAI /organization/usage/completions').list('data')) {
    const day = utcDay(bucket.number('start_time') * 1000);
    for (const result of bucket.list('results')) {
      usage.push({
        day,
        model: canonicalModel(result.optionalString('model') ?? '(unknown)'),
        // input_tokens counts cached and cache-write tokens too, as the ledger's input does.
        inputTokens: result.number('input_tokens'),
        outputTokens: result.number('output_tokens'),
        requests: result.optionalNumber('num_model_requests'),
      });
    }
  }
  return usage;
}

/** OpenAI's organization admin API, as `costctl reconcile --provider openai` reads it. */
export const openaiBilling: BillingSource = {
  provider: 'openai',
  name: 'OpenAI',
  defaultUrl: OPENAI_ADMIN_URL,
  urlVariable: 'COSTCTL_OPENAI_ADMIN_URL',
  keyVariable: 'OPENAI_ADMIN_KEY',
  // A bearer token, as the official client sends an admin key.
  headers: (key) => ({ authorization: `Bearer ${key}`, accept: 'application/json' }),
  reportUrls: openaiReportUrls,
  parseCosts: parseOpenAICosts,
  parseUsage: parseOpenAIUsage,
};
