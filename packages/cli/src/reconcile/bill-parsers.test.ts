import { describe, expect, it } from 'vitest';
import { anthropicReportUrls, parseAnthropicCosts, parseAnthropicUsage } from './anthropic-bill.js';
import { canonicalModel, dayRange, DAY_MS } from './bill.js';
import { modelOfLineItem, openaiReportUrls, parseOpenAICosts, parseOpenAIUsage } from './openai-bill.js';
import { ReportShapeError } from './report-shape.js';

const NOV_20 = Date.UTC(2026, 10, 20);
const s = (ms: number) => ms / 1000;
/** An OpenAI report page: one bucket a day from Nov 20, holding these results. */
const openaiPage = (...days: object[][]) => ({
  object: 'page',
  data: days.map((results, i) => ({ object: 'bucket', start_time: s(NOV_20 + i * DAY_MS), end_time: s(NOV_20 + (i + 1) * DAY_MS), results })),
  has_more: false,
  next_page: null,
});

describe('days and models', () => {
  it('widens a period to the whole UTC days it touches', () => {
    expect(dayRange(NOV_20 + 9 * 3_600_000, NOV_20 + 2 * DAY_MS + 15 * 3_600_000)).toEqual({ start: NOV_20, end: NOV_20 + 3 * DAY_MS });
    // An end at midnight does not pull in the next day.
    expect(dayRange(NOV_20, NOV_20 + DAY_MS)).toEqual({ start: NOV_20, end: NOV_20 + DAY_MS });
  });

  it('compares models without their dated snapshot, and only a dated suffix goes', () => {
    expect(canonicalModel('gpt-4o-mini-2024-07-18')).toBe('gpt-4o-mini');
    expect(canonicalModel('claude-sonnet-4-20250514')).toBe('claude-sonnet-4');
    expect(canonicalModel('claude-haiku-4-5')).toBe('claude-haiku-4-5');
    expect(canonicalModel('gpt-4.1-nano')).toBe('gpt-4.1-nano');
    expect(canonicalModel('o3-2025-04-16')).toBe('o3');
  });
});

describe('OpenAI organization reports', () => {
  it('asks for daily buckets of the whole days, grouped, with a limit the API accepts', () => {
    const range = { start: NOV_20 - 200 * DAY_MS, end: NOV_20 };
    const { costs, usage } = openaiReportUrls('https://proxy.example/v1/', range);
    expect(costs.href).toBe(
      `https://proxy.example/v1/organization/costs?start_time=${s(range.start)}&end_time=${s(range.end)}&limit=180&bucket_width=1d&group_by%5B%5D=line_item`,
    );
    expect(usage.pathname).toBe('/v1/organization/usage/completions');
    expect(usage.searchParams.get('limit')).toBe('31');
    expect(usage.searchParams.getAll('group_by[]')).toEqual(['model']);
  });

  it('reads costs in dollars by line item, the model from the line item, and charges without a model apart', () => {
    const page = openaiPage(
      [
        { object: 'organization.costs.result', amount: { value: 0.25, currency: 'usd' }, line_item: 'gpt-4o-mini-2024-07-18, input', project_id: null },
        { object: 'organization.costs.result', amount: { value: '0.75', currency: 'usd' }, line_item: 'gpt-4o-mini-2024-07-18, cached input' },
        { object: 'organization.costs.result', amount: { value: 1.5, currency: 'usd' }, line_item: 'Web search tool calls' },
        { object: 'organization.costs.result', line_item: 'o3-2025-04-16, output' },
      ],
      [],
    );
    expect(parseOpenAICosts(page)).toEqual([
      { day: '2026-11-20', model: 'gpt-4o-mini', usd: 0.25, item: 'gpt-4o-mini-2024-07-18, input' },
      { day: '2026-11-20', model: 'gpt-4o-mini', usd: 0.75, item: 'gpt-4o-mini-2024-07-18, cached input' },
      { day: '2026-11-20', model: null, usd: 1.5, item: 'Web search tool calls' },
      { day: '2026-11-20', model: 'o3', usd: 0, item: 'o3-2025-04-16, output' },
    ]);
    expect(modelOfLineItem(null)).toBeNull();
    expect(modelOfLineItem('Fine-tuning training, gpt-4o')).toBeNull();
  });

  it('reads completions usage by model, input counting cached tokens as the ledger does', () => {
    const page = openaiPage([
      {
        object: 'organization.usage.completions.result',
        input_tokens: 1200,
        input_cached_tokens: 200,
        output_tokens: 300,
        num_model_requests: 4,
        model: 'gpt-4o-2024-08-06',
      },
    ]);
    expect(parseOpenAIUsage(page)).toEqual([{ day: '2026-11-20', model: 'gpt-4o', inputTokens: 1200, outputTokens: 300, requests: 4 }]);
  });

  it('refuses a page whose shape drifted or a bill in another currency, naming what is wrong', () => {
    expect(() => parseOpenAICosts({ object: 'page', data: {} })).toThrow(/OpenAI \/organization\/costs: data should be a list, got \{\}/);
    const bad = { data: [{ start_time: s(NOV_20), results: [{ amount: { value: 'lots' } }] }] };
    expect(() => parseOpenAICosts(bad)).toThrow(ReportShapeError);
    expect(() => parseOpenAICosts(bad)).toThrow(/data\[0\]\.results\[0\]\.amount\.value should be a number, got "lots"/);
    const euros = { data: [{ start_time: s(NOV_20), results: [{ amount: { value: 1, currency: 'eur' }, line_item: null }] }] };
    expect(() => parseOpenAICosts(euros)).toThrow(/in eur; costctl reconciles USD bills only/);
    expect(() => parseOpenAIUsage({ data: [{ start_time: s(NOV_20), results: [{ output_tokens: 1 }] }] })).toThrow(
      /input_tokens should be a number, got missing/,
    );
  });
});

describe('Anthropic Usage & Cost Admin API', () => {
  it('asks for daily buckets between RFC 3339 times, grouped, at most 31 a page', () => {
    const range = { start: NOV_20 - 40 * DAY_MS, end: NOV_20 };
    const { costs, usage } = anthropicReportUrls('http://127.0.0.1:9/', range);
    expect(costs.pathname).toBe('/v1/organizations/cost_report');
    expect(Object.fromEntries(costs.searchParams)).toEqual({
      starting_at: '2026-10-11T00:00:00Z',
      ending_at: '2026-11-20T00:00:00Z',
      limit: '31',
      bucket_width: '1d',
      'group_by[]': 'description',
    });
    expect(usage.pathname).toBe('/v1/organizations/usage_report/messages');
    expect(usage.searchParams.getAll('group_by[]')).toEqual(['model']);
  });

  it('reads cost amounts as cents in decimal strings, the model only where there is one', () => {
    const page = {
      data: [
        {
          starting_at: '2026-11-20T00:00:00Z',
          ending_at: '2026-11-21T00:00:00Z',
          results: [
            {
              amount: '123.45',
              currency: 'USD',
              description: 'Claude Haiku 4.5 Usage - Input Tokens',
              cost_type: 'tokens',
              model: 'claude-haiku-4-5-20251001',
              token_type: 'uncached_input_tokens',
              workspace_id: null,
            },
            { amount: '0.5', currency: 'USD', description: null, cost_type: 'web_search', model: null, token_type: null },
          ],
        },
      ],
      has_more: false,
      next_page: null,
    };
    expect(parseAnthropicCosts(page)).toEqual([
      { day: '2026-11-20', model: 'claude-haiku-4-5', usd: 1.2345, item: 'Claude Haiku 4.5 Usage - Input Tokens' },
      { day: '2026-11-20', model: null, usd: 0.005, item: 'web_search' },
    ]);
    expect(() => parseAnthropicCosts({ data: [{ starting_at: 'yesterday', results: [] }] })).toThrow(/starting_at is not an RFC 3339 time/);
    expect(() => parseAnthropicCosts({ data: [{ starting_at: '2026-11-20T00:00:00Z', results: [{ amount: 12, currency: 'GBP' }] }] })).toThrow(/in GBP/);
  });

  it('reads usage by model, every input token: uncached, cache reads and both cache writes', () => {
    const page = {
      data: [
        {
          starting_at: '2026-11-20T00:00:00Z',
          ending_at: '2026-11-21T00:00:00Z',
          results: [
            {
              model: 'claude-sonnet-4-20250514',
              uncached_input_tokens: 1500,
              cache_read_input_tokens: 200,
              cache_creation: { ephemeral_1h_input_tokens: 1000, ephemeral_5m_input_tokens: 500 },
              output_tokens: 500,
              server_tool_use: { web_search_requests: 10 },
            },
          ],
        },
      ],
      has_more: false,
      next_page: null,
    };
    expect(parseAnthropicUsage(page)).toEqual([{ day: '2026-11-20', model: 'claude-sonnet-4', inputTokens: 3200, outputTokens: 500, requests: undefined }]);
  });
});
