/**
 * Anthropic's bill from its Usage & Cost Admin API (an admin key, `sk-ant-admin…`):
 *
 *   GET {base}/v1/organizations/cost_report            daily cost; `amount` is a decimal
 *                                                       string in cents ("123.45" = $1.23)
 *   GET {base}/v1/organizations/usage_report/messages  daily tokens by model
 *
 * Both take `starting_at`/`ending_at` (RFC 3339; buckets snap to UTC days),
 * `bucket_width=1d`, `group_by[]`, `limit` (at most 31 daily buckets a page)
 * and `page` (the previous page's `next_page`). Costs name their model only
 * when grouped by `description`; charges not per model (web search, code
 * execution) have none. Priority Tier is never in the cost report.
 */
import { type BilledCost, type BilledUsage, type BillingSource, type DayRange, bucketLimit, canonicalModel, reportUrl, utcDay } from './bill.js';
import { ReportShapeError, Shape } from './report-shape.js';

/** Anthropic's API base, as the official client's `baseURL` (paths start with `/v1`). */
export const ANTHROPIC_ADMIN_URL = 'https://api.anthropic.com';

/** The API version both reports are documented under. */
const ANTHROPIC_VERSION = '2023-06-01';

/**
 * The two report URLs for whole UTC days `range`, grouped for reconciliation.
 *
 * @example
 * anthropicReportUrls('https://api.anthropic.com', dayRange(since, until)).costs.pathname // '/v1/organizations/cost_report'
 */
export function anthropicReportUrls(base: string, range: DayRange): { costs: URL; usage: URL } {
  const rfc3339 = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const query = { starting_at: rfc3339(range.start), ending_at: rfc3339(range.end), limit: bucketLimit(range, 31) };
  return {
    costs: reportUrl(base, '/v1/organizations/cost_report', query, 'description'),
    usage: reportUrl(base, '/v1/organizations/usage_report/messages', query, 'model'),
  };
}

/**
 * The charges of one page of `cost_report`, grouped by `description`; cents become dollars.
 *
 * @example
 * parseAnthropicCosts({ data: [{ starting_at: '2025-11-20T00:00:00Z', ending_at: '2025-11-21T00:00:00Z', results: [
 *   { amount: '123.45', currency: 'USD', description: 'Claude Haiku 4.5 Usage - Output Tokens', cost_type: 'tokens',
 *     model: 'claude-haiku-4-5-20251001', token_type: 'output_tokens' }] }], has_more: false, next_page: null })
 * // [{ day: '2025-11-20', model: 'claude-haiku-4-5', usd: 1.2345, item: 'Claude Haiku 4.5 Usage - Output Tokens' }]
 */
export function parseAnthropicCosts(page: unknown): BilledCost[] {
  const costs: BilledCost[] = [];
  for (const bucket of new Shape(page, 'Anthropic /v1/organizations/cost_report').list('data')) {
    const day = bucketDay(bucket, 'cost_report');
    for (const result of bucket.list('results')) {
      const currency = result.optionalString('currency');
      if (currency && currency.toUpperCase() !== 'USD') {
        throw new ReportShapeError(`Anthropic cost_report: a charge on ${day} is in ${currency}; costctl reconciles USD bills only`);
      }
      const model = result.optionalString('model');
      // Lowest currency units: cents, as a decimal string.
      const usd = result.number('amount') / 100;
      costs.push({
        day,
        model: model === null ? null : canonicalModel(model),
        usd,
        item: result.optionalString('description') ?? result.optionalString('cost_type'),
      });
    }
  }
  return costs;
}

/**
 * The token counts of one page of `usage_report/messages`, grouped by `model`.
 *
 * @example
 * parseAnthropicUsage({ data: [{ starting_at: '2025-11-20T00:00:00Z', ending_at: '2025-11-21T00:00:00Z', results: [
 *   { model: 'claude-haiku-4-5-20251001', uncached_input_tokens: 100, cache_read_input_tokens: 20,
 *     cache_creation: { ephemeral_5m_input_tokens: 5, ephemeral_1h_input_tokens: 0 }, output_tokens: 40 }] }], has_more: false, next_page: null })
 * // [{ day: '2025-11-20', model: 'claude-haiku-4-5', inputTokens: 125, outputTokens: 40, requests: undefined }]
 */
export function parseAnthropicUsage(page: unknown): BilledUsage[] {
  const usage: BilledUsage[] = [];
  for (const bucket of new Shape(page, 'Anthropic /v1/organizations/usage_report/messages').list('data')) {
    const day = bucketDay(bucket, 'usage_report');
    for (const result of bucket.list('results')) {
      const creation = result.optionalObject('cache_creation');
      const written = (creation?.optionalNumber('ephemeral_5m_input_tokens') ?? 0) + (creation?.optionalNumber('ephemeral_1h_input_tokens') ?? 0);
      usage.push({
        day,
        model: canonicalModel(result.optionalString('model') ?? '(unknown)'),
        // The ledger's input counts every input token: uncached, cache reads and cache writes.
        inputTokens: result.optionalNumber('uncached_input_tokens') + result.optionalNumber('cache_read_input_tokens') + written,
        outputTokens: result.optionalNumber('output_tokens'),
        requests: undefined,
      });
    }
  }
  return usage;
}

function bucketDay(bucket: Shape, report: string): string {
  const start = Date.parse(bucket.string('starting_at'));
  if (Number.isNaN(start)) throw new ReportShapeError(`Anthropic ${report}: a bucket's starting_at is not an RFC 3339 time`);
  return utcDay(start);
}

/** Anthropic's Usage & Cost Admin API, as `costctl reconcile --provider anthropic` reads it. */
export const anthropicBilling: BillingSource = {
  provider: 'anthropic',
  name: 'Anthropic',
  defaultUrl: ANTHROPIC_ADMIN_URL,
  urlVariable: 'COSTCTL_ANTHROPIC_ADMIN_URL',
  keyVariable: 'ANTHROPIC_ADMIN_KEY',
  headers: (key) => ({ 'x-api-key': key, 'anthropic-version': ANTHROPIC_VERSION, accept: 'application/json' }),
  reportUrls: anthropicReportUrls,
  parseCosts: parseAnthropicCosts,
  parseUsage: parseAnthropicUsage,
};
