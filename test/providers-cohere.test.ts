import { calcPrice } from '@pydantic/genai-prices';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cohereBilledUnits, cohereSearchUnits, type FakeCohere, startFakeCohere } from './helpers/fake-cohere.js';
import { sum } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

let cohere: FakeCohere;

beforeAll(async () => {
  cohere = await startFakeCohere();
});

beforeEach(() => {
  cohere.requests.length = 0;
});

afterAll(async () => {
  await cohere.close();
});

/** A call as the SDK takes it, and the body it sends (snake_case), for the fake's accounting. */
interface Spec {
  kind: 'chat' | 'chatStream' | 'embed' | 'chatV1' | 'chatStreamV1' | 'embedV1' | 'rerank' | 'rerankV1';
  params: Record<string, unknown>;
  wire: Record<string, unknown>;
}

const messages = [{ role: 'user', content: 'How much did our agents spend on search this week?' }];
const chat = (model: string, extra: Record<string, unknown> = {}): Spec => ({
  kind: 'chat',
  params: { model, messages, ...extra },
  wire: { model, messages, ...extra },
});

function run(specs: Spec[], env: Record<string, string> = {}) {
  return runApp('test/apps/cohere-calls.mjs', {
    settled: (samples) => sum(samples, 'costctl_requests_total') === specs.length,
    env: {
      COHERE_URL: cohere.url,
      COSTCTL_ENDPOINTS: `cohere=${cohere.url}`,
      CALLS: JSON.stringify(specs.map(({ kind, params }) => ({ kind, params }))),
      ...env,
    },
  });
}

/** The exact price of a call from the billed units the fake reports, straight from the price data. */
const PATHS: Record<Spec['kind'], string> = {
  chat: '/v2/chat',
  chatStream: '/v2/chat',
  embed: '/v2/embed',
  chatV1: '/v1/chat',
  chatStreamV1: '/v1/chat',
  embedV1: '/v1/embed',
  rerank: '/v2/rerank',
  rerankV1: '/v1/rerank',
};

function expectedCost(spec: Spec): number {
  const billed = cohereBilledUnits(PATHS[spec.kind], spec.wire);
  const price = calcPrice({ input_tokens: billed.input, output_tokens: billed.output }, String(spec.wire.model), { providerId: 'cohere' });
  if (price === null) throw new Error(`the price data has no ${String(spec.wire.model)}`);
  return price.total_price;
}

/** Every call priced from the price data at the billed units the fake reported, and those tokens counted. */
function expectPricedExactly(samples: Awaited<ReturnType<typeof run>>['samples'], specs: readonly Spec[]): void {
  for (const spec of specs) {
    const model = String(spec.wire.model);
    expect(
      sum(samples, 'costctl_cost_usd_total', { gen_ai_provider_name: 'cohere', gen_ai_request_model: model, costctl_cost_source: 'price_table' }),
      model,
    ).toBeCloseTo(expectedCost(spec), 15);
  }
  const billed = specs.map((spec) => cohereBilledUnits(PATHS[spec.kind], spec.wire));
  expect(sum(samples, 'costctl_tokens_total', { gen_ai_provider_name: 'cohere', gen_ai_token_type: 'input' })).toBe(
    billed.reduce((total, b) => total + b.input, 0),
  );
  expect(sum(samples, 'costctl_tokens_total', { gen_ai_provider_name: 'cohere', gen_ai_token_type: 'output' })).toBe(
    billed.reduce((total, b) => total + b.output, 0),
  );
}

describe('Cohere v2 through the official cohere-ai client', () => {
  it('prices chat (JSON and stream) and embed exactly from the billed units', async () => {
    const specs: Spec[] = [
      chat('command-a-03-2025'),
      { ...chat('command-r-08-2024', { maxTokens: 5 }), wire: { model: 'command-r-08-2024', messages, max_tokens: 5 } },
      { kind: 'chatStream', params: { model: 'command-r7b-12-2024', messages }, wire: { model: 'command-r7b-12-2024', messages } },
      {
        kind: 'embed',
        params: { model: 'embed-v4.0', texts: ['weekly spend', 'search budget'], inputType: 'search_document', embeddingTypes: ['float'] },
        wire: { model: 'embed-v4.0', texts: ['weekly spend', 'search budget'] },
      },
    ];
    const result = await run(specs);

    expect(result.lines.map((line) => line.ok)).toEqual([true, true, true, true]);
    // The client saw the billed units the fake sent: what costctl priced is what Cohere bills.
    expect(result.lines[2]!.usage).toMatchObject({ billedUnits: { inputTokens: cohereBilledUnits('/v2/chat', specs[2]!.wire).input } });
    expect(cohere.requests.map((request) => [request.path, request.stream])).toEqual([
      ['/v2/chat', false],
      ['/v2/chat', false],
      ['/v2/chat', true],
      ['/v2/embed', false],
    ]);
    expectPricedExactly(result.samples, specs);
    expect(sum(result.samples, 'costctl_requests_total', { gen_ai_operation_name: 'embeddings', costctl_outcome: 'ok' })).toBe(1);
    expect(sum(result.samples, 'costctl_unpriced_requests_total')).toBe(0);
    expect(result.metricsText).not.toMatch(/co-test-key|agents spend on search/);
  });

  it('counts a model the price data lacks as unpriced, not $0', async () => {
    const result = await run([chat('command-a-plus-05-2026')]);
    expect(result.lines[0]!.ok).toBe(true);
    expect(sum(result.samples, 'costctl_unpriced_requests_total', { costctl_reason: 'unknown_model', gen_ai_request_model: 'command-a-plus-05-2026' })).toBe(1);
    expect(sum(result.samples, 'costctl_cost_usd_total')).toBe(0);
  });

  it('blocks a call over budget before it leaves: the client gets a 402 at once, the server sees nothing', async () => {
    const result = await run([chat('command-r-08-2024'), chat('command-r-08-2024')], { COSTCTL_TOTAL_LIMIT_USD: '0.0001' });
    expect(result.lines.map((line) => line.ok)).toEqual([false, false]);
    expect(result.lines[0]!.error).toMatchObject({ name: 'CohereError', status: 402, body: { type: 'costctl_budget_exceeded' } });
    expect(cohere.requests).toEqual([]);
    expect(sum(result.samples, 'costctl_requests_total', { gen_ai_provider_name: 'cohere', costctl_outcome: 'blocked' })).toBe(2);
  });
});

describe('Cohere v1 through the official cohere-ai CohereClient', () => {
  const history = [
    { role: 'USER', message: 'What did the search agents cost last week?' },
    { role: 'CHATBOT', message: 'About forty dollars, most of it on Tuesday.' },
  ];

  it('prices chat (JSON and JSON Lines stream) and embed exactly from the billed units', async () => {
    const specs: Spec[] = [
      {
        kind: 'chatV1',
        params: { model: 'command-r-08-2024', message: 'And this week?', preamble: 'Answer in one line.', chatHistory: history },
        wire: { model: 'command-r-08-2024', message: 'And this week?', preamble: 'Answer in one line.', chat_history: history },
      },
      {
        kind: 'chatStreamV1',
        params: { model: 'command-r7b-12-2024', message: 'Which agent spent most?', maxTokens: 6 },
        wire: { model: 'command-r7b-12-2024', message: 'Which agent spent most?', max_tokens: 6 },
      },
      {
        kind: 'embedV1',
        params: { model: 'embed-v4.0', texts: ['weekly spend', 'search budget'], inputType: 'search_document' },
        wire: { model: 'embed-v4.0', texts: ['weekly spend', 'search budget'] },
      },
    ];
    const result = await run(specs);

    expect(result.lines.map((line) => line.ok)).toEqual([true, true, true]);
    // The client read the stream to its end: the billed units it saw are what costctl priced.
    expect(result.lines[1]!.usage).toEqual({ inputTokens: cohereBilledUnits('/v1/chat', specs[1]!.wire).input, outputTokens: 6 });
    expect(cohere.requests.map((request) => [request.path, request.stream])).toEqual([
      ['/v1/chat', false],
      ['/v1/chat', true],
      ['/v1/embed', false],
    ]);
    expectPricedExactly(result.samples, specs);
    expect(sum(result.samples, 'costctl_requests_total', { gen_ai_operation_name: 'chat', costctl_outcome: 'ok' })).toBe(2);
    expect(sum(result.samples, 'costctl_requests_total', { gen_ai_operation_name: 'embeddings', costctl_outcome: 'ok' })).toBe(1);
    expect(sum(result.samples, 'costctl_unpriced_requests_total')).toBe(0);
    expect(result.metricsText).not.toMatch(/co-test-key|search agents cost/);
  });

  it('counts a v1 chat that leaves the model to Cohere as unpriced, not $0: no answer names its model', async () => {
    const result = await run([{ kind: 'chatV1', params: { message: 'Hello' }, wire: { message: 'Hello' } }]);
    expect(result.lines[0]!.ok).toBe(true);
    expect(sum(result.samples, 'costctl_requests_total', { gen_ai_provider_name: 'cohere', costctl_outcome: 'ok' })).toBe(1);
    expect(sum(result.samples, 'costctl_unpriced_requests_total', { gen_ai_provider_name: 'cohere', costctl_reason: 'no_model' })).toBe(1);
    // Its tokens are still counted, from the billed units.
    expect(sum(result.samples, 'costctl_tokens_total', { gen_ai_provider_name: 'cohere', gen_ai_token_type: 'input' })).toBe(
      cohereBilledUnits('/v1/chat', { message: 'Hello' }).input,
    );
    expect(sum(result.samples, 'costctl_cost_usd_total')).toBe(0);
  });
});

describe('Cohere rerank, v2 and v1', () => {
  it('counts each rerank and its search units, unpriced rather than $0: the price data has no Cohere rerank model', async () => {
    const documents = Array.from({ length: 130 }, (_, i) => `Spend report ${i}: the search agent used ${i} dollars.`);
    const specs: Spec[] = [
      { kind: 'rerank', params: { model: 'rerank-v3.5', query: 'Which agent spent most?', documents, topN: 3 }, wire: { model: 'rerank-v3.5' } },
      {
        kind: 'rerankV1',
        params: { model: 'rerank-english-v3.0', query: 'Which agent spent most?', documents: documents.slice(0, 5) },
        wire: { model: 'rerank-english-v3.0' },
      },
    ];
    const result = await run(specs);

    expect(result.lines.map((line) => line.ok)).toEqual([true, true]);
    expect(result.lines.map((line) => line.usage)).toEqual([{ searchUnits: 2 }, { searchUnits: 1 }]);
    expect(cohere.requests.map((request) => request.path)).toEqual(['/v2/rerank', '/v1/rerank']);
    expect(sum(result.samples, 'costctl_requests_total', { gen_ai_provider_name: 'cohere', gen_ai_operation_name: 'rerank', costctl_outcome: 'ok' })).toBe(2);
    expect(sum(result.samples, 'costctl_units_total', { gen_ai_provider_name: 'cohere', costctl_unit: 'search_units' })).toBe(
      cohereSearchUnits(130) + cohereSearchUnits(5),
    );
    expect(sum(result.samples, 'costctl_unpriced_requests_total', { gen_ai_operation_name: 'rerank', costctl_reason: 'unknown_model' })).toBe(2);
    expect(sum(result.samples, 'costctl_cost_usd_total')).toBe(0);
    expect(sum(result.samples, 'costctl_tokens_total')).toBe(0);
  });
});
