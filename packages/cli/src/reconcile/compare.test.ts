import type { LedgerEntry } from '@costctl/otel';
import { describe, expect, it } from 'vitest';
import { type Bill, DAY_MS } from './bill.js';
import { compare } from './compare.js';
import { tallyLedger } from './ledger-tally.js';
import { renderText } from './render.js';

const NOV_20 = Date.UTC(2026, 10, 20);
const range = { start: NOV_20, end: NOV_20 + 3 * DAY_MS };
/** Noon on Nov 22: the 20th and 21st are over, the 22nd is not. */
const now = NOV_20 + 2 * DAY_MS + DAY_MS / 2;

let id = 0;
function call(day: string, patch: Partial<LedgerEntry> = {}): LedgerEntry {
  id += 1;
  return {
    time: `${day}T08:00:00.000Z`,
    provider: 'openai',
    operation: 'chat',
    model: 'gpt-4o-mini',
    response_model: 'gpt-4o-mini-2024-07-18',
    response_id: `chatcmpl-${id}`,
    outcome: 'ok',
    tokens: { input: 800, output: 200, cache_read: 0, cache_write: 0, reasoning: 0 },
    cost_usd: 0.5,
    cost_source: 'price_table',
    unpriced_reason: null,
    duration_s: 0.3,
    labels: {},
    pid: 1,
    ...patch,
  };
}

async function* entries(list: LedgerEntry[]): AsyncGenerator<LedgerEntry> {
  yield* list;
}

async function reconcile(ledger: LedgerEntry[], bill: Bill, tolerance = 0.02) {
  return compare('openai', range, await tallyLedger(entries(ledger), 'openai'), bill, { tolerance, now });
}

const gptMini = (day: string, usd: number, tokens?: { input: number; output: number; requests?: number }): Bill => ({
  costs: [
    { day, model: 'gpt-4o-mini', usd: usd / 4, item: 'gpt-4o-mini-2024-07-18, input' },
    { day, model: 'gpt-4o-mini', usd: (usd * 3) / 4, item: 'gpt-4o-mini-2024-07-18, output' },
  ],
  usage: tokens ? [{ day, model: 'gpt-4o-mini', inputTokens: tokens.input, outputTokens: tokens.output, requests: tokens.requests }] : [],
});

describe('compare', () => {
  it('matches a day within the tolerance and sums the line items of a model', async () => {
    const result = await reconcile([call('2026-11-20'), call('2026-11-20')], gptMini('2026-11-20', 1.015, { input: 1600, output: 400, requests: 2 }));
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({ day: '2026-11-20', model: 'gpt-4o-mini', status: 'match', localUsd: 1, billedUsd: 1.015, explanations: [] });
    expect(result.rows[0]!.differenceFraction).toBeCloseTo(0.015 / 1.015, 12);
    expect(result.mismatches).toBe(0);
    expect(result.totals).toMatchObject({ localUsd: 1, billedUsd: 1.015 });
  });

  it('judges a difference beyond the tolerance, and a looser tolerance lets it pass', async () => {
    const ledger = [call('2026-11-20'), call('2026-11-20')];
    const bill = gptMini('2026-11-20', 1.1, { input: 1600, output: 400 });
    expect((await reconcile(ledger, bill)).rows[0]!.status).toBe('mismatch');
    expect((await reconcile(ledger, bill, 0.1)).rows[0]!.status).toBe('match');
  });

  it('never fails on a difference under half a cent, whatever its share', async () => {
    const ledger = [call('2026-11-20', { cost_usd: 0.001 })];
    expect((await reconcile(ledger, gptMini('2026-11-20', 0.004))).rows[0]!.status).toBe('match');
    expect((await reconcile(ledger, gptMini('2026-11-20', 0.0065))).rows[0]!.status).toBe('mismatch');
  });

  it('shows a day that is not over as partial and leaves it out of the verdict and the totals', async () => {
    const result = await reconcile([call('2026-11-22')], gptMini('2026-11-22', 9));
    expect(result.rows[0]).toMatchObject({ day: '2026-11-22', status: 'partial' });
    expect(result.rows[0]!.explanations.map((said) => said.kind)).toContain('partial');
    expect(result.mismatches).toBe(0);
    expect(result.totals).toMatchObject({ localUsd: 0, billedUsd: 0, differenceFraction: null });
  });

  it('names the calls that explain a difference: unpriced, estimated, errors; counts blocked calls apart', async () => {
    const ledger = [
      call('2026-11-20'),
      call('2026-11-20', { cost_usd: null, cost_source: null, unpriced_reason: 'unknown_model', response_id: 'chatcmpl-unpriced' }),
      call('2026-11-20', { cost_usd: 0.1, cost_source: 'estimated', outcome: 'error', response_id: 'chatcmpl-cut', time: '2026-11-20T09:30:00.000Z' }),
      call('2026-11-20', {
        cost_usd: null,
        cost_source: null,
        outcome: 'blocked',
        response_id: null,
        tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 },
      }),
    ];
    const [row] = (await reconcile(ledger, gptMini('2026-11-20', 1.6, { input: 2400, output: 600, requests: 3 }))).rows;
    expect(row).toMatchObject({ status: 'mismatch', localUsd: 0.6 });
    expect(row!.local).toMatchObject({ calls: 4, blocked: 1, unpriced: { count: 1, reasons: { unknown_model: 1 } }, estimated: { count: 1, usd: 0.1 } });
    const byKind = Object.fromEntries(row!.explanations.map((said) => [said.kind, said]));
    expect(Object.keys(byKind)).toEqual(['unpriced', 'estimated', 'errors', 'blocked']);
    expect(byKind.unpriced!.text).toBe('1 call unpriced (unknown_model ×1): in the ledger at $0 — add their prices under "prices" in the config');
    expect(byKind.unpriced!.calls).toEqual([
      { time: '2026-11-20T08:00:00.000Z', responseId: 'chatcmpl-unpriced', outcome: 'ok', costUsd: null, reason: 'unknown_model' },
    ]);
    expect(byKind.estimated!.calls!.map((named) => named.responseId)).toEqual(['chatcmpl-cut']);
    expect(byKind.errors!.text).toMatch(/^1 call ended in an error/);
    expect(byKind.blocked!.text).toBe('1 call blocked by costctl: never sent, never billed');
  });

  it('tells traffic costctl did not see from the same tokens priced differently', async () => {
    const unseen = (await reconcile([call('2026-11-20')], gptMini('2026-11-20', 1, { input: 1600, output: 400, requests: 2 }))).rows[0]!;
    expect(unseen.explanations).toEqual([
      { kind: 'tokens', text: 'billed 2000 tokens in 2 requests; the ledger has 1000 in 1 call sent: calls costctl did not see' },
    ]);
    const repriced = (await reconcile([call('2026-11-20')], gptMini('2026-11-20', 1, { input: 800, output: 200 }))).rows[0]!;
    expect(repriced.explanations.map((said) => said.kind)).toEqual(['price']);
  });

  it('says which billed days and models have no call in the ledger, and which ledger calls were never billed', async () => {
    const bill: Bill = {
      costs: [
        ...gptMini('2026-11-20', 2).costs,
        { day: '2026-11-20', model: 'gpt-4o', usd: 3, item: 'gpt-4o-2024-08-06, output' },
        { day: '2026-11-21', model: 'gpt-4o', usd: 4, item: 'gpt-4o-2024-08-06, output' },
        { day: '2026-11-21', model: null, usd: 0.25, item: 'Web search tool calls' },
      ],
      usage: [],
    };
    const ledger = [call('2026-11-20', { cost_usd: 2 }), call('2026-11-21', { model: 'llama-3', response_model: 'llama-3', cost_usd: 0.3 })];
    const rows = (await reconcile(ledger, bill)).rows.map((row) => [row.day, row.model, row.status, row.explanations[0]?.kind]);
    expect(rows).toEqual([
      ['2026-11-20', 'gpt-4o', 'mismatch', 'no_local_calls'],
      ['2026-11-20', 'gpt-4o-mini', 'match', undefined],
      ['2026-11-21', 'gpt-4o', 'mismatch', 'no_local_calls'],
      ['2026-11-21', 'llama-3', 'mismatch', 'not_billed'],
      ['2026-11-21', null, 'mismatch', 'not_per_model'],
    ]);
    const all = await reconcile([], { costs: [{ day: '2026-11-21', model: 'gpt-4o', usd: 4, item: null }], usage: [] });
    expect(all.rows[0]!.explanations[0]!.text).toMatch(/^billed, but no call at all in the ledger that day/);
  });

  it('counts adjustments in the ledger side, so a corrected day matches', async () => {
    const adjustment = call('2026-11-20', {
      kind: 'adjustment',
      time: '2026-11-20T12:00:00.000Z',
      operation: 'adjustment',
      response_model: null,
      cost_usd: 0.5,
      cost_source: 'adjustment',
      adjustment: {
        day: '2026-11-20',
        reason: 'invoice',
        actor: 'alice',
        source: 'reconcile:openai',
        billed_usd: 1,
        local_usd: 0.5,
        recorded_at: '2026-11-22T10:00:00.000Z',
      },
    });
    const [row] = (await reconcile([call('2026-11-20'), adjustment], gptMini('2026-11-20', 1))).rows;
    expect(row).toMatchObject({ status: 'match', localUsd: 1, local: { calls: 1, adjustments: 1, adjustedUsd: 0.5 } });
    expect(row!.explanations).toEqual([{ kind: 'adjusted', text: 'includes 1 adjustment of $0.5 (costctl reconcile --adjust)' }]);
  });

  it('reads only its provider, and renders the verdict and the calls to look at', async () => {
    const ledger = [
      call('2026-11-20', { provider: 'anthropic' }),
      call('2026-11-21', { cost_usd: null, cost_source: null, unpriced_reason: 'no_model', response_id: 'chatcmpl-x' }),
    ];
    const result = await reconcile(ledger, gptMini('2026-11-21', 0.5));
    expect(result.rows.map((row) => row.day)).toEqual(['2026-11-21']);
    const text = renderText(result, []);
    expect(text).toContain('2026-11-21  gpt-4o-mini      1      $0    $0.5       +$0.5  +100%  BEYOND');
    expect(text).toContain('      2026-11-21T08:00:00.000Z  chatcmpl-x  ok  no_model\n');
    expect(text).toMatch(/1 of 1 day\/model rows differ by more than 2%; to make the ledger and budgets follow the bill/);
  });
});
