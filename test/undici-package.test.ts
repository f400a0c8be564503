// Calls through the `undici` package (request(), not the global fetch), seen
// only from undici's diagnostics channels: budgets and the gate hold them as
// they hold every other call, before a byte of the request leaves.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { expectedUsage, responseModel, startFakeProvider } from '@costctl/testkit';
import { describe, expect, it } from 'vitest';
import { useFake } from './helpers/cloud-calls.js';
import { costctl } from './helpers/looper.js';
import { sum } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

const provider = useFake(() => startFakeProvider());

const body = { model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'How much is left of the budget?' }] };
const usage = expectedUsage('openai.chat', body);
const oneCall = calcPrice({ input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens }, responseModel('openai.chat', body.model), {
  providerId: 'openai',
})!.total_price;

/**
 * Whether undici publishes the response's body chunks to its diagnostics
 * channel for these calls: on Node 24 it does; on Node 22 the undici
 * package's request() answers without them, so costctl sees the call but
 * not its body.
 */
const bodiesSeen = Number(process.versions.node.split('.')[0]) >= 24;

function run(calls: number, env: Record<string, string>) {
  return runApp('test/apps/undici-calls.mjs', {
    settled: (samples) => sum(samples, 'costctl_requests_total') === calls,
    env: { FAKE_PROVIDER_URL: provider().url, COSTCTL_ENDPOINTS: `openai=${provider().url}/openai`, CALLS: String(calls), ...env },
  });
}

describe('node --import @costctl/otel/register with the undici package', () => {
  it('fails a call made while the gate is tripped with CostctlBlockedError, and the provider never sees it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'costctl-undici-'));
    expect(costctl(['gate', 'trip', '--reason', 'undici check'], { COSTCTL_STATE_DIR: stateDir }).status).toBe(0);
    const result = await run(1, { COSTCTL_STATE_DIR: stateDir });
    expect(result.lines[0]).toMatchObject({ ok: false, error: { name: 'CostctlBlockedError', code: 'COSTCTL_GATE_TRIPPED', rule: 'gate' } });
    expect(provider().requests).toHaveLength(0);
    expect(sum(result.samples, 'costctl_requests_total', { costctl_outcome: 'blocked' })).toBe(1);
  });

  it.each(['file', 'memory'])('counts its spend in the budgets (%s store): the call that would pass the limit is blocked before it leaves', async (store) => {
    const env = { COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-undici-')), COSTCTL_STORE: store, COSTCTL_DAILY_LIMIT_USD: String(1.5 * oneCall) };
    const result = await run(3, env);
    expect(result.lines.map((line) => line.ok)).toEqual([true, false, false]);
    expect(result.lines[0]).toMatchObject({ status: 200, usage: { prompt_tokens: usage.prompt_tokens } });
    expect(result.lines[1]).toMatchObject({ error: { name: 'CostctlBlockedError', code: 'COSTCTL_BUDGET_EXCEEDED', rule: 'daily_usd' } });
    expect(provider().requests).toHaveLength(1);
    expect(sum(result.samples, 'costctl_requests_total', { costctl_outcome: 'blocked' })).toBe(2);
    if (bodiesSeen) {
      expect(sum(result.samples, 'costctl_cost_usd_total')).toBeCloseTo(oneCall, 15);
    } else {
      // Counted, never $0 in silence; and budgets charged its worst case, which is what blocked the next call.
      expect(sum(result.samples, 'costctl_unpriced_requests_total', { costctl_reason: 'body_unobservable' })).toBe(1);
      expect(sum(result.samples, 'costctl_cost_usd_total')).toBe(0);
    }
  });
});
