import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../command.js';
import { RECONCILE_MISMATCH_EXIT, reconcile, type ReconcileOptions } from './reconcile.js';

const DAY = 86_400_000;
const today = Date.now() - (Date.now() % DAY);
const yesterday = new Date(today - DAY).toISOString().slice(0, 10);

/** A working directory whose ledger holds two $0.50 gpt-4o-mini calls yesterday. */
function workdir(config?: object): { cwd: string; env: Record<string, string> } {
  const cwd = mkdtempSync(join(tmpdir(), 'costctl-reconcile-'));
  const stateDir = join(cwd, '.costctl');
  mkdirSync(stateDir);
  const call = (n: number) =>
    JSON.stringify({
      time: `${yesterday}T0${n}:00:00.000Z`,
      provider: 'openai',
      operation: 'chat',
      model: 'gpt-4o-mini',
      response_model: 'gpt-4o-mini-2024-07-18',
      response_id: `chatcmpl-${n}`,
      outcome: 'ok',
      tokens: { input: 80, output: 20 },
      cost_usd: 0.5,
      cost_source: 'price_table',
      unpriced_reason: null,
      labels: {},
    });
  writeFileSync(join(stateDir, `ledger-${yesterday}.jsonl`), `${call(1)}\n${call(2)}\n`);
  if (config) writeFileSync(join(cwd, 'costctl.config.json'), JSON.stringify(config));
  return { cwd, env: { COSTCTL_STATE_DIR: stateDir, OPENAI_ADMIN_KEY: 'sk-admin-unit', COSTCTL_OPENAI_ADMIN_URL: 'https://billing.test/v1' } };
}

/** OpenAI's reports, billing `usd` for gpt-4o-mini yesterday. */
function billing(usd: number) {
  const asked: string[] = [];
  vi.stubGlobal('fetch', async (url: URL) => {
    asked.push(url.pathname);
    const bucket = { object: 'bucket', start_time: (today - DAY) / 1000, end_time: today / 1000 };
    const results = url.pathname.endsWith('/costs')
      ? [{ object: 'organization.costs.result', amount: { value: usd, currency: 'usd' }, line_item: 'gpt-4o-mini-2024-07-18, input' }]
      : [{ object: 'organization.usage.completions.result', input_tokens: 160, output_tokens: 40, num_model_requests: 2, model: 'gpt-4o-mini-2024-07-18' }];
    return new Response(JSON.stringify({ object: 'page', data: [{ ...bucket, results }], has_more: false, next_page: null }));
  });
  return asked;
}

async function run(options: ReconcileOptions, where: { cwd: string; env: Record<string, string> }) {
  let stdout = '';
  const code = await reconcile(options, { ...where, out: (text) => (stdout += text) });
  return { code, stdout };
}

afterEach(() => vi.unstubAllGlobals());

describe('costctl reconcile verdicts', () => {
  it('exits 0 within the tolerance and 4 beyond it', async () => {
    const where = workdir();
    const asked = billing(1.01);
    expect(await run({ provider: 'openai' }, where)).toMatchObject({ code: 0, stdout: expect.stringContaining('every complete day is within 2% of the bill') });
    expect(asked).toEqual(['/v1/organization/costs', '/v1/organization/usage/completions']);
    billing(1.2);
    const beyond = await run({ provider: 'openai', json: true }, where);
    expect(beyond.code).toBe(RECONCILE_MISMATCH_EXIT);
    expect(JSON.parse(beyond.stdout)).toMatchObject({
      verdict: 'mismatch',
      mismatches: 1,
      rows: [{ day: yesterday, model: 'gpt-4o-mini', localUsd: 1, billedUsd: 1.2 }],
    });
  });

  it('takes the tolerance from --tolerance (fraction or percent) before the config file', async () => {
    billing(1.2);
    expect((await run({ provider: 'openai', tolerance: '20%' }, workdir())).code).toBe(0);
    expect((await run({ provider: 'openai', tolerance: '0.1' }, workdir({ reconcile: { tolerance: 0.5 } }))).code).toBe(RECONCILE_MISMATCH_EXIT);
    expect((await run({ provider: 'openai' }, workdir({ reconcile: { tolerance: 0.5 } }))).code).toBe(0);
    await expect(run({ provider: 'openai' }, workdir({ reconcile: { tolerance: 2 } }))).rejects.toThrow(/costctl\.config\.json: reconcile\.tolerance.*=2/);
  });

  it('refuses bad usage before reaching the provider: a missing key, provider, tolerance or reason', async () => {
    const asked = billing(1);
    const where = workdir();
    const noKey = { ...where, env: { ...where.env, OPENAI_ADMIN_KEY: ' ' } };
    await expect(run({ provider: 'openai' }, noKey)).rejects.toThrow(/set OPENAI_ADMIN_KEY \(it is read from the environment only, and never printed\)/);
    await expect(run({ provider: 'gemini' }, where)).rejects.toThrow(
      'reconcile needs --provider openai or anthropic, or --bill <file>; got --provider "gemini"',
    );
    await expect(run({ provider: 'openai', tolerance: '150%' }, where)).rejects.toThrow(UsageError);
    await expect(run({ provider: 'openai', adjust: true }, where)).rejects.toThrow(/--adjust needs --reason/);
    await expect(run({ provider: 'openai', since: '1d', until: '3d' }, where)).rejects.toThrow('--since must be before --until');
    await expect(run({ provider: 'openai' }, { ...where, env: { ...where.env, COSTCTL_OPENAI_ADMIN_URL: 'ftp://x' } })).rejects.toThrow(
      /COSTCTL_OPENAI_ADMIN_URL="ftp:\/\/x": expected an http\(s\) URL/,
    );
    expect(asked).toEqual([]);
  });
});
