import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BilledDay } from './days.js';
import { displayName } from './anthropic-admin.js';
import { type FakeBilling, startFakeBilling } from './server.js';

const DAY = 86_400;
const NOV_20 = Date.UTC(2026, 10, 20) / 1000;
const bill: BilledDay[] = [
  { day: '2026-11-20', model: 'gpt-4o-mini-2024-07-18', usd: 1.2, inputTokens: 3000, outputTokens: 1000, requests: 7 },
  { day: '2026-11-20', model: null, usd: 0.3, description: 'Web search tool calls' },
  { day: '2026-11-22', model: 'gpt-4o-2024-08-06', usd: 2, inputTokens: 100, outputTokens: 100, requests: 1 },
];
const claude: BilledDay[] = [
  { day: '2026-11-21', model: 'claude-haiku-4-5-20251001', usd: 0.5, inputTokens: 400, outputTokens: 100 },
  { day: '2026-11-21', model: null, usd: 0.1 },
];

let billing: FakeBilling;
beforeAll(async () => {
  billing = await startFakeBilling({
    openai: bill,
    anthropic: claude,
    keys: { openai: 'sk-admin-good', anthropic: 'sk-ant-admin-good' },
    pageSize: 2,
    now: () => (NOV_20 + 5 * DAY) * 1000,
  });
});
afterAll(async () => {
  await billing.close();
});

const openai = (path: string, query: string, key = 'sk-admin-good') =>
  fetch(`${billing.openaiUrl}${path}?${query}`, { headers: { authorization: `Bearer ${key}` } });
const anthropic = (path: string, query: string, headers: Record<string, string> = { 'x-api-key': 'sk-ant-admin-good', 'anthropic-version': '2023-06-01' }) =>
  fetch(`${billing.url}/v1/organizations/${path}?${query}`, { headers });

/** Every page of a report, following next_page as a client does. */
async function pages(get: (query: string) => Promise<Response>, query: string): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  let next: string | null = null;
  do {
    const response = await get(next === null ? query : `${query}&page=${encodeURIComponent(next)}`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as Record<string, unknown>;
    all.push(page);
    next = page.has_more === true ? (page.next_page as string) : null;
  } while (next !== null);
  return all;
}

describe('the fake billing server', () => {
  it('pages OpenAI costs by line item, one bucket a day, the model split into input and output lines', async () => {
    const all = await pages(
      (query) => openai('/organization/costs', query),
      `start_time=${NOV_20}&end_time=${NOV_20 + 3 * DAY}&bucket_width=1d&group_by[]=line_item&limit=7`,
    );
    expect(all.map((page) => [page.object, (page.data as unknown[]).length, page.has_more])).toEqual([
      ['page', 2, true],
      ['page', 1, false],
    ]);
    expect(all.at(-1)!.next_page).toBeNull();
    const buckets = all.flatMap(
      (page) =>
        page.data as { object: string; start_time: number; end_time: number; results: { amount: { value: number; currency: string }; line_item: string }[] }[],
    );
    expect(buckets.map((bucket) => [bucket.object, bucket.start_time, bucket.end_time - bucket.start_time])).toEqual([
      ['bucket', NOV_20, DAY],
      ['bucket', NOV_20 + DAY, DAY],
      ['bucket', NOV_20 + 2 * DAY, DAY],
    ]);
    const lines = buckets[0]!.results;
    expect(lines.map((result) => [result.line_item, result.amount.currency])).toEqual([
      ['gpt-4o-mini-2024-07-18, input', 'usd'],
      ['gpt-4o-mini-2024-07-18, output', 'usd'],
      ['Web search tool calls', 'usd'],
    ]);
    // The model's $1.20 split by its tokens, 3000 in and 1000 out.
    expect(lines.map((result) => result.amount.value)).toEqual([expect.closeTo(0.9, 12), expect.closeTo(0.3, 12), 0.3]);
    expect(buckets[1]!.results).toEqual([]);
  });

  it('answers OpenAI costs without grouping as one total a day, and completions usage by model', async () => {
    const [total] = await pages((query) => openai('/organization/costs', query), `start_time=${NOV_20}&end_time=${NOV_20 + DAY}`);
    expect((total!.data as { results: unknown[] }[])[0]!.results).toEqual([
      { object: 'organization.costs.result', amount: { value: 1.5, currency: 'usd' }, line_item: null, project_id: null },
    ]);
    const [usage] = await pages((query) => openai('/organization/usage/completions', query), `start_time=${NOV_20}&end_time=${NOV_20 + DAY}&group_by[]=model`);
    expect((usage!.data as { results: unknown[] }[])[0]!.results).toEqual([
      expect.objectContaining({
        object: 'organization.usage.completions.result',
        input_tokens: 3000,
        output_tokens: 1000,
        num_model_requests: 7,
        model: 'gpt-4o-mini-2024-07-18',
      }),
    ]);
  });

  it('answers Anthropic reports with amounts in cents as decimal strings, and models only when grouped by description', async () => {
    const all = await pages(
      (query) => anthropic('cost_report', query),
      'starting_at=2026-11-21T00:00:00Z&ending_at=2026-11-22T00:00:00Z&group_by[]=description',
    );
    const bucket = (all[0]!.data as { starting_at: string; ending_at: string; results: Record<string, unknown>[] }[])[0]!;
    expect([bucket.starting_at, bucket.ending_at]).toEqual(['2026-11-21T00:00:00Z', '2026-11-22T00:00:00Z']);
    expect(bucket.results.map((result) => [result.amount, result.currency, result.model, result.token_type, result.description])).toEqual([
      ['40', 'USD', 'claude-haiku-4-5-20251001', 'uncached_input_tokens', 'Claude Haiku 4.5 Usage - Input Tokens'],
      ['10', 'USD', 'claude-haiku-4-5-20251001', 'output_tokens', 'Claude Haiku 4.5 Usage - Output Tokens'],
      ['10', 'USD', null, null, 'Web Search'],
    ]);
    const [plain] = await pages((query) => anthropic('cost_report', query), 'starting_at=2026-11-21T00:00:00Z&ending_at=2026-11-22T00:00:00Z');
    expect((plain!.data as { results: Record<string, unknown>[] }[])[0]!.results).toEqual([
      expect.objectContaining({ amount: '60', model: null, description: null }),
    ]);
    const [usage] = await pages(
      (query) => anthropic('usage_report/messages', query),
      'starting_at=2026-11-21T00:00:00Z&ending_at=2026-11-22T00:00:00Z&group_by[]=model',
    );
    expect((usage!.data as { results: unknown[] }[])[0]!.results).toEqual([
      expect.objectContaining({ model: 'claude-haiku-4-5-20251001', uncached_input_tokens: 400, cache_read_input_tokens: 0, output_tokens: 100 }),
    ]);
    expect(displayName('claude-3-5-haiku-20241022')).toBe('Claude 3.5 Haiku');
  });

  it('refuses a wrong key with a masked echo, a missing version, and a limit past the API maximum', async () => {
    const refused = await openai('/organization/costs', `start_time=${NOV_20}`, 'sk-admin-wrong-1234');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: { message: 'Incorrect API key provided: sk-admin****1234.', type: 'invalid_request_error', param: null, code: null },
    });
    const unversioned = await anthropic('cost_report', 'starting_at=2026-11-21T00:00:00Z', { 'x-api-key': 'sk-ant-admin-good' });
    expect(unversioned.status).toBe(400);
    expect(((await unversioned.json()) as { type: string }).type).toBe('error');
    expect((await openai('/organization/usage/completions', `start_time=${NOV_20}&limit=32`)).status).toBe(400);
    expect((await openai('/organization/costs', 'end_time=1')).status).toBe(400);
  });

  it('rate-limits and fails on demand, then answers again, and records requests without their headers', async () => {
    billing.reset();
    billing.rateLimit(1, 3);
    billing.fail(1, 529);
    const limited = await anthropic('cost_report', 'starting_at=2026-11-21T00:00:00Z');
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '3']);
    expect(await limited.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringMatching(/^Rate limit reached/) } });
    const overloaded = await anthropic('cost_report', 'starting_at=2026-11-21T00:00:00Z');
    expect(overloaded.status).toBe(529);
    expect(((await overloaded.json()) as { error: { type: string } }).error.type).toBe('overloaded_error');
    expect((await anthropic('cost_report', 'starting_at=2026-11-21T00:00:00Z')).status).toBe(200);
    expect(billing.requests.map((request) => [request.provider, request.path, request.status])).toEqual([
      ['anthropic', '/v1/organizations/cost_report', 429],
      ['anthropic', '/v1/organizations/cost_report', 529],
      ['anthropic', '/v1/organizations/cost_report', 200],
    ]);
    expect(JSON.stringify(billing.requests)).not.toContain('sk-ant-admin-good');
  });
});
