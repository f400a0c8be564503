/**
 * Recorded answers billed beyond their top-level token counts, replayed
 * through a real `node --import @costctl/otel/register` process: the
 * Prometheus series must show the cost the price data's rates give when
 * multiplied out by hand, the tool calls as units, and the steps' tokens.
 * The fixtures are the providers' unit-test fixtures; each names the public
 * cassette it was recorded in.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findProvider } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costctl, workdir } from './helpers/costctl.js';
import { type LocalServer, listenLocally, readBody } from './helpers/local-server.js';
import { sum } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

const FIXTURES: Readonly<Record<string, string>> = {
  anthropic: 'packages/otel/src/providers/anthropic/fixtures',
  openai: 'packages/otel/src/providers/openai/fixtures',
};

/** The fixture's bytes as the provider sent them: a JSON fixture's `body`, an SSE fixture as is. */
function recorded(provider: string, name: string): { type: string; bytes: string } {
  const text = readFileSync(`${FIXTURES[provider]}/${name}`, 'utf8');
  return name.endsWith('.sse')
    ? { type: 'text/event-stream; charset=utf-8', bytes: text }
    : { type: 'application/json', bytes: JSON.stringify(JSON.parse(text).body) };
}

function rates(providerId: string, modelId: string): Record<string, number> {
  const model = findProvider({ providerId })!.models.find((m) => m.id === modelId)!;
  const prices = Array.isArray(model.prices) ? model.prices[0]!.prices : model.prices;
  return Object.fromEntries(Object.entries(prices).map(([key, value]) => [key, typeof value === 'number' ? value : (value as { base: number }).base]));
}

let server: LocalServer;

beforeAll(async () => {
  // `/<provider>/<fixture>/v1/...` answers with that fixture.
  server = await listenLocally(async (req, res) => {
    await readBody(req);
    const [, provider, name] = (req.url ?? '').split('/');
    const { type, bytes } = recorded(provider!, name!);
    res.writeHead(200, { 'content-type': type });
    res.end(bytes);
  });
});

afterAll(async () => {
  await server.close();
});

describe('recorded answers billed beyond their top-level usage, end to end', () => {
  it('prices an Anthropic compaction step, an advisor step and web searches, and an OpenAI web_search_call', async () => {
    const calls = [
      {
        url: `${server.url}/anthropic/compaction-stream.sse/v1/messages`,
        body: { model: 'claude-sonnet-4-6', max_tokens: 4096, stream: true, messages: [{ role: 'user', content: 'Now say hello.' }] },
      },
      {
        url: `${server.url}/anthropic/advisor.json/v1/messages`,
        body: { model: 'claude-sonnet-5', max_tokens: 4096, messages: [{ role: 'user', content: "What's 2+2?" }] },
      },
      {
        url: `${server.url}/anthropic/web-search-stream.sse/v1/messages`,
        body: { model: 'claude-sonnet-4-0', max_tokens: 4096, stream: true, messages: [{ role: 'user', content: 'Weather?' }] },
      },
      { url: `${server.url}/openai/responses-web-search.json/v1/responses`, body: { model: 'gpt-5', input: 'Weather?' } },
    ];
    const result = await runApp('test/apps/replay-calls.mjs', {
      settled: (samples) => sum(samples, 'costctl_requests_total') === calls.length,
      env: { CALLS: JSON.stringify(calls), COSTCTL_ENDPOINTS: `anthropic=${server.url}/anthropic,openai=${server.url}/openai` },
    });
    expect(result.lines.filter((line) => line.ok === true)).toHaveLength(calls.length);

    const sonnet46 = rates('anthropic', 'claude-sonnet-4-6');
    const compaction =
      (181 * sonnet46['input_mtok']! +
        8 * sonnet46['output_mtok']! +
        100 * sonnet46['input_mtok']! +
        55096 * sonnet46['cache_read_mtok']! +
        83 * sonnet46['output_mtok']!) /
      1e6;
    const sonnet5 = rates('anthropic', 'claude-sonnet-5');
    const opus48 = rates('anthropic', 'claude-opus-4-8');
    const advisor = (2390 * sonnet5['input_mtok']! + 121 * sonnet5['output_mtok']! + 2518 * opus48['input_mtok']! + 22 * opus48['output_mtok']!) / 1e6;
    const sonnet4 = rates('anthropic', 'claude-sonnet-4-0');
    const searches = (31772 * sonnet4['input_mtok']! + 644 * sonnet4['output_mtok']!) / 1e6 + (2 * sonnet4['web_searches_kcount']!) / 1e3;
    const gpt5 = rates('openai', 'gpt-5');
    const openaiSearch =
      ((9299 - 8448) * gpt5['input_mtok']! + 8448 * gpt5['cache_read_mtok']! + 577 * gpt5['output_mtok']!) / 1e6 + gpt5['web_searches_kcount']! / 1e3;

    const cost = (provider: string, model: string) =>
      sum(result.samples, 'costctl_cost_usd_total', { gen_ai_provider_name: provider, gen_ai_request_model: model, costctl_cost_source: 'price_table' });
    expect(cost('anthropic', 'claude-sonnet-4-6')).toBeCloseTo(compaction, 12);
    expect(cost('anthropic', 'claude-sonnet-5')).toBeCloseTo(advisor, 12);
    expect(cost('anthropic', 'claude-sonnet-4-0')).toBeCloseTo(searches, 12);
    expect(cost('openai', 'gpt-5')).toBeCloseTo(openaiSearch, 12);
    expect(sum(result.samples, 'costctl_units_total', { costctl_unit: 'web_searches' })).toBe(3);
    // The compaction step's tokens count with the call's: 181 + 55196 input.
    expect(sum(result.samples, 'costctl_tokens_total', { gen_ai_request_model: 'claude-sonnet-4-6', gen_ai_token_type: 'input' })).toBe(181 + 55196);
    expect(sum(result.samples, 'costctl_unpriced_requests_total')).toBe(0);
  });

  it("writes a call's steps into the ledger, where report and a tokens rule's forecast count them as the live rule does", async () => {
    const cwd = workdir();
    const stateDir = join(cwd, '.costctl');
    const config = join(cwd, 'costctl.config.json');
    writeFileSync(
      config,
      JSON.stringify({ rules: [{ name: 'anthropic_tokens', limit: 1_000_000, unit: 'tokens', window: 'total', scope: { provider: 'anthropic' } }] }),
    );
    const calls = [
      {
        url: `${server.url}/anthropic/compaction-stream.sse/v1/messages`,
        body: { model: 'claude-sonnet-4-6', max_tokens: 4096, stream: true, messages: [{ role: 'user', content: 'Now say hello.' }] },
      },
      {
        url: `${server.url}/anthropic/advisor.json/v1/messages`,
        body: { model: 'claude-sonnet-5', max_tokens: 4096, messages: [{ role: 'user', content: "What's 2+2?" }] },
      },
    ];
    const result = await runApp('test/apps/replay-calls.mjs', {
      settled: (samples) => sum(samples, 'costctl_requests_total') === calls.length,
      env: { CALLS: JSON.stringify(calls), COSTCTL_ENDPOINTS: `anthropic=${server.url}/anthropic`, COSTCTL_CONFIG: config, COSTCTL_STATE_DIR: stateDir },
    });
    expect(result.lines.filter((line) => line.ok === true)).toHaveLength(calls.length);

    // The recorded answers: compaction 181 in, 8 out, and a compaction step of 100 + 55,096 read in, 83 out;
    // advisor 2,390 in, 121 out, and an advisor step on claude-opus-4-8 of 2,518 in, 22 out.
    const ledger = readdirSync(stateDir)
      .filter((name) => name.startsWith('ledger-'))
      .flatMap((name) => readFileSync(join(stateDir, name), 'utf8').trim().split('\n'))
      .map((line) => JSON.parse(line) as { model: string; tokens: Record<string, number>; steps?: unknown });
    const byModel = Object.fromEntries(ledger.map((entry) => [entry.model, entry]));
    expect(byModel['claude-sonnet-4-6']).toMatchObject({
      tokens: { input: 181, output: 8 },
      steps: [{ kind: 'compaction', tokens: { input: 55196, output: 83, cache_read: 55096, cache_write: 0, reasoning: 0 } }],
    });
    expect(byModel['claude-sonnet-5']).toMatchObject({
      tokens: { input: 2390, output: 121 },
      steps: [{ kind: 'advisor_message', model: 'claude-opus-4-8', tokens: { input: 2518, output: 22, cache_read: 0, cache_write: 0, reasoning: 0 } }],
    });

    const report = JSON.parse(costctl(['report', '--json'], { cwd }).stdout) as { model: string; input: number; output: number }[];
    expect(Object.fromEntries(report.map((row) => [row.model, [row.input, row.output]]))).toEqual({
      'claude-sonnet-4-6': [181 + 55196, 8 + 83],
      'claude-sonnet-5': [2390 + 2518, 121 + 22],
    });

    const billed = 181 + 8 + 55196 + 83 + 2390 + 121 + 2518 + 22;
    const status = JSON.parse(costctl(['status', '--json'], { cwd }).stdout) as { rules: { name: string; spent: number }[] };
    expect(status.rules.find((rule) => rule.name === 'anthropic_tokens')?.spent).toBe(billed);
    const forecast = JSON.parse(costctl(['forecast', '--json'], { cwd }).stdout) as { rules: { rule: string; unit: string; spent: number }[] };
    expect(forecast.rules.find((rule) => rule.rule === 'anthropic_tokens')).toMatchObject({ unit: 'tokens', spent: billed });
  });
});
