import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runApp } from './helpers/run-app.js';

const cli = join(repoRoot, 'packages/cli/dist/main.js');

/** Runs `costctl …` as a user would: a real process, in `cwd`, with only the given environment. */
function costctl(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: join(options.cwd, '.costctl'), ...options.env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const workdir = () => mkdtempSync(join(tmpdir(), 'costctl-cli-'));

let provider: FakeProvider;

beforeAll(async () => {
  provider = await startFakeProvider();
});

afterAll(async () => {
  await provider.close();
});

describe('costctl', () => {
  it('init writes a commented config with the seed budgets, which status then reads', () => {
    const cwd = workdir();
    expect(costctl(['init'], { cwd })).toMatchObject({ code: 0, stdout: `wrote ${join(cwd, 'costctl.config.yaml')}\n` });
    expect(readFileSync(join(cwd, 'costctl.config.yaml'), 'utf8')).toMatch(/^# costctl configuration/);
    expect(costctl(['init'], { cwd }).code).toBe(1);

    const status = costctl(['status', '--json'], { cwd });
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { gate: { tripped: boolean }; rules: { name: string; limit: number; level: string; action: string }[] };
    expect(parsed.gate.tripped).toBe(false);
    expect(parsed.rules.map((rule) => [rule.name, rule.limit, rule.action])).toEqual([
      ['daily_usd', 10, 'block'],
      ['monthly_usd', 100, 'block'],
      ['total_usd', 1000, 'trip'],
      ['requests_per_minute', 60, 'block'],
      ['requests_per_hour', 500, 'block'],
      ['requests_per_day', 5000, 'block'],
    ]);
    expect(costctl(['status'], { cwd }).stdout).toMatch(/^gate: open\n[\s\S]*daily_usd\s+day\s+\$0\s+\$10\.00\s+0%\s+ok\s+block/);
  });

  it('prices a model and names the price data; an unknown model fails with what to do', () => {
    const cwd = workdir();
    const known = costctl(['price', 'gpt-4o-mini', '--input', '1000', '--output', '500'], { cwd });
    expect(known).toMatchObject({ code: 0 });
    expect(known.stdout).toBe('openai gpt-4o-mini (priced as gpt-4o-mini): 1,000 input + 500 output tokens = $0.00045\nsource: @pydantic/genai-prices 0.1.8\n');
    const unknown = costctl(['price', 'acme-7b'], { cwd });
    expect(unknown).toMatchObject({
      code: 1,
      stdout: 'openai acme-7b: no price known. Add it under "prices" in the config file, in USD per million tokens.\n',
    });
    expect(costctl(['price', 'gpt-4o-mini', '--input', 'lots'], { cwd })).toMatchObject({ code: 2 });
  });

  it('reports spend from the ledger an instrumented app wrote, by provider and model, as a table, CSV and JSON', async () => {
    const cwd = workdir();
    const stateDir = join(cwd, '.costctl');
    const calls = [
      { api: 'openai.chat', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one' }] } },
      { api: 'openai.chat', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'two' }] } },
      { api: 'anthropic.messages', body: { model: 'claude-haiku-4-5', max_tokens: 24, messages: [{ role: 'user', content: 'three' }] } },
    ];
    const run = await runApp('test/apps/llm-calls.mjs', {
      env: {
        FAKE_PROVIDER_URL: provider.url,
        COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`,
        CALLS: JSON.stringify(calls),
        COSTCTL_STATE_DIR: stateDir,
      },
    });
    const metricsTotal = run.samples.filter((sample) => sample.name === 'costctl_cost_usd_total').reduce((sum, sample) => sum + sample.value, 0);

    const json = JSON.parse(costctl(['report', '--json'], { cwd }).stdout) as { provider: string; model: string; calls: number; cost: number }[];
    expect(json.map(({ provider, model, calls }) => [provider, model, calls]).sort()).toEqual([
      ['anthropic', 'claude-haiku-4-5', 1],
      ['openai', 'gpt-4o-mini', 2],
    ]);
    expect(json.reduce((sum, row) => sum + row.cost, 0)).toBeCloseTo(metricsTotal, 15);

    const text = costctl(['report', '--by', 'provider'], { cwd });
    expect(text.stdout).toMatch(/^provider\s+calls\s+input\s+output\s+cost_usd/);
    expect(text.stdout).toMatch(/total \$[\d.]+ over 3 calls/);
    expect(costctl(['report', '--csv', '--by', 'operation'], { cwd }).stdout).toMatch(
      /^operation,calls,input,output,cost_usd,estimated_usd,unpriced,blocked\nchat,3,/,
    );
    expect(costctl(['report', '--since', '1d', '--until', '2000-01-01'], { cwd }).stdout).toMatch(/no calls in the ledger/);
    const byTenant = costctl(['report', '--by', 'tenant'], { cwd });
    expect(byTenant.code).toBe(2);
    expect(byTenant.stderr).toMatch(
      /^costctl: --by tenant: "tenant" is not a label costctl keeps; set COSTCTL_LABELS=tenant \(for this command and for the instrumented apps/,
    );
  });

  it('report --chart draws spend per day as bars, quiet days included, with the same total as the table', () => {
    const cwd = workdir();
    const stateDir = join(cwd, '.costctl');
    mkdirSync(stateDir);
    const day = (ago: number) => new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);
    const call = (ago: number, cost: number) =>
      JSON.stringify({
        time: `${day(ago)}T12:00:00.000Z`,
        provider: 'openai',
        operation: 'chat',
        model: 'gpt-4o-mini',
        outcome: 'ok',
        tokens: { input: 10, output: 5 },
        cost_usd: cost,
        cost_source: 'price_table',
        unpriced_reason: null,
        labels: {},
      });
    // $4 three days ago over two calls, nothing two days ago, $1 yesterday: one ledger file a day, as the SDK writes them.
    writeFileSync(join(stateDir, `ledger-${day(3)}.jsonl`), `${call(3, 3)}\n${call(3, 1)}\n`);
    writeFileSync(join(stateDir, `ledger-${day(1)}.jsonl`), `${call(1, 1)}\n`);

    const chart = costctl(['report', '--chart', '--since', '4d'], { cwd });
    expect(chart).toMatchObject({ code: 0, stderr: '' });
    const lines = chart.stdout.split('\n');
    expect(lines[0]).toBe(`spend per day (UTC), ${day(4)} to ${day(0)}`);
    const bars = lines.filter((line) => /^\d{4}-\d\d-\d\d  /.test(line));
    expect(bars.map((line) => line.slice(0, 10))).toEqual([day(4), day(3), day(2), day(1), day(0)]);
    const blocks = (line: string) => line.match(/█/g)?.length ?? 0;
    const [, four, none, one] = bars;
    expect(four).toMatch(/ \$4\.00  2 calls$/);
    expect(none).toMatch(/^\S+ +\$0  0 calls$/);
    expect(one).toMatch(/ \$1\.00  1 call$/);
    expect(blocks(four!)).toBe(4 * blocks(one!));
    expect(chart.stdout).toMatch(/\ntotal \$5\.00 over 3 calls\n$/);
    expect(costctl(['report', '--since', '4d'], { cwd }).stdout).toMatch(/\ntotal \$5\.00 over 3 calls\n$/);

    // By hour, in the configured time zone: noon UTC is 21:00 in Tokyo.
    const hours = costctl(['report', '--chart', 'hour', '--since', `${day(1)}T00:00:00Z`, '--until', `${day(0)}T00:00:00Z`], {
      cwd,
      env: { COSTCTL_TIMEZONE: 'Asia/Tokyo' },
    });
    expect(hours.stdout.split('\n')[0]).toMatch(/^spend per hour \(Asia\/Tokyo\), \S+ 09:00 to \S+ 09:00$/);
    expect(hours.stdout).toMatch(/ 21:00  █+ +\$1\.00  1 call\n/);
    // Too many bars to read: say how to narrow it.
    expect(costctl(['report', '--chart', 'hour', '--since', '30d'], { cwd })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/would draw more than 366 bars; narrow --since\/--until, or chart by a longer period/),
    });
  });

  it('status, gate status and report print JSON that scripts read, the gate in the same shape in both', () => {
    const cwd = workdir();
    expect(costctl(['gate', 'trip', '--reason', 'runaway loop', '--actor', 'alice'], { cwd }).code).toBe(0);
    const status = costctl(['status', '--json'], { cwd, env: { COSTCTL_DAILY_LIMIT_USD: '5' } });
    expect(status).toMatchObject({ code: 3, stderr: '' });
    const parsed = JSON.parse(status.stdout) as Record<string, unknown>;
    expect(parsed).toEqual({
      gate: { tripped: true, reason: 'runaway loop', actor: 'alice', since: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/) },
      store: 'file',
      timezone: 'UTC',
      rules: [expect.objectContaining({ name: 'daily_usd', limit: 5, unit: 'usd', window: 'day', spent: 0, reserved: 0, level: 'ok', action: 'block' })],
    });
    expect(JSON.parse(costctl(['gate', 'status', '--json'], { cwd }).stdout)).toEqual(parsed['gate']);
    // One JSON document and a newline, nothing else on stdout.
    expect(status.stdout.indexOf('\n')).toBe(status.stdout.length - 1);
    mkdirSync(join(cwd, '.costctl'), { recursive: true });
    expect(costctl(['report', '--json'], { cwd })).toEqual({ code: 0, stdout: '[]\n', stderr: '' });

    // Times are ISO strings throughout, the day a prepaid balance was bought too.
    const credits = workdir();
    writeFileSync(join(credits, 'costctl.config.json'), JSON.stringify({ credits: { openai: { balance: 10, since: '2026-11-01' } } }));
    const rule = (JSON.parse(costctl(['status', '--json'], { cwd: credits }).stdout) as { rules: Record<string, unknown>[] }).rules[0];
    expect(rule).toMatchObject({ name: 'credits_openai', credits: { provider: 'openai', since: '2026-11-01T00:00:00.000Z' }, remaining: 10 });
  });

  it('report fails loudly instead of reporting no calls when the ledger cannot be read', () => {
    const cwd = workdir();
    const missing = costctl(['report'], { cwd });
    expect(missing).toMatchObject({ code: 5, stdout: '' });
    expect(missing.stderr).toBe(
      `costctl: could not read the ledger in ${join(cwd, '.costctl')}: it does not exist: no instrumented app has written a ledger there; run costctl where the apps run, or set COSTCTL_STATE_DIR to their state directory\n`,
    );
    // A ledger file that cannot be read would leave its calls out of the totals.
    mkdirSync(join(cwd, '.costctl', 'ledger-2026-11-20.jsonl'), { recursive: true });
    const unreadable = costctl(['report', '--json'], { cwd });
    expect(unreadable).toMatchObject({ code: 5, stdout: '' });
    expect(unreadable.stderr).toMatch(
      /^costctl: could not read the ledger in .* \(EISDIR: illegal operation on a directory, read\); check its ledger-\*\.jsonl files, then retry\n$/,
    );
  });

  it('forecasts from the ledger the date a limit will be reached', () => {
    const cwd = workdir();
    const stateDir = join(cwd, '.costctl');
    spawnSync('mkdir', ['-p', stateDir]);
    const now = Date.now();
    const lines = [];
    for (let day = 1; day <= 7; day++) {
      lines.push(
        JSON.stringify({
          time: new Date(now - (day - 0.5) * 86_400_000).toISOString(),
          provider: 'openai',
          tokens: { input: 1, output: 1 },
          cost_usd: 2,
          outcome: 'ok',
        }),
      );
    }
    writeFileSync(join(stateDir, 'ledger-2000-01-01.jsonl'), `${lines.join('\n')}\n`);
    const result = costctl(['forecast', '--json'], { cwd, env: { COSTCTL_TOTAL_LIMIT_USD: '30' } });
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { perDayUsd: number; rules: { rule: string; spent: number; reachedAt: string }[] };
    expect(parsed.perDayUsd).toBe(2);
    expect(parsed.rules[0]).toMatchObject({ rule: 'total_usd', spent: 14 });
    // $16 left at $2 a day: 8 days from now.
    expect(Date.parse(parsed.rules[0]!.reachedAt) - now).toBeGreaterThan(8 * 86_400_000 - 60_000);
    expect(Date.parse(parsed.rules[0]!.reachedAt) - now).toBeLessThan(8 * 86_400_000 + 60_000);
    expect(costctl(['forecast', '--days', '0'], { cwd })).toMatchObject({ code: 2 });
  });

  it('gate status shows the gate as the store holds it, and exits 3 while it is tripped', () => {
    const cwd = workdir();
    expect(costctl(['gate', 'status'], { cwd })).toMatchObject({ code: 0, stdout: 'gate: open\n', stderr: '' });
    expect(costctl(['gate', 'trip', '--reason', 'runaway loop', '--actor', 'alice'], { cwd }).code).toBe(0);
    const tripped = costctl(['gate', 'status'], { cwd });
    expect(tripped).toMatchObject({ code: 3, stderr: '' });
    expect(tripped.stdout).toMatch(/^gate: TRIPPED since \S+ by alice: runaway loop\n {6}every call to a paid API is blocked; reset with: costctl gate reset/);
    const json = costctl(['gate', 'status', '--json'], { cwd });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({ tripped: true, reason: 'runaway loop', actor: 'alice', since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('exits quietly when the reader of its output goes away (costctl status | head -1)', async () => {
    const cwd = workdir();
    const child = spawn(process.execPath, [cli, 'status'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: join(cwd, '.costctl') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader is gone before the command writes a byte: every write it makes meets a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  // Regression: every rule was forecast at the global rate, so an Anthropic credits rule with $0 of Anthropic spend ran out on OpenAI traffic.
  it('forecasts each rule at the rate of its own scope and unit, tokens and requests included', () => {
    const cwd = workdir();
    const stateDir = join(cwd, '.costctl');
    spawnSync('mkdir', ['-p', stateDir]);
    const now = Date.now();
    const lines = [];
    for (let day = 1; day <= 7; day++) {
      const time = new Date(now - (day - 0.5) * 86_400_000).toISOString();
      lines.push(
        JSON.stringify({
          time,
          provider: 'openai',
          model: 'gpt-4o-mini',
          tokens: { input: 600, output: 400 },
          cost_usd: 2,
          outcome: 'ok',
          labels: { tenant: 'acme' },
        }),
      );
      lines.push(
        JSON.stringify({
          time,
          provider: 'openai',
          model: 'gpt-4o-mini',
          tokens: { input: 0, output: 0 },
          cost_usd: null,
          outcome: 'blocked',
          labels: { tenant: 'acme' },
        }),
      );
      // A model without a price: unpriced, held by budgets at its fallback estimate, and forecast as budgets count it.
      lines.push(
        JSON.stringify({
          time,
          provider: 'mistral_ai',
          model: 'mystery',
          tokens: { input: 1, output: 1 },
          cost_usd: null,
          unpriced_reason: 'unknown_model',
          budget_usd: 0.5,
          outcome: 'ok',
          labels: {},
        }),
      );
    }
    writeFileSync(join(stateDir, 'ledger-2000-01-01.jsonl'), `${lines.join('\n')}\n`);
    writeFileSync(
      join(cwd, 'costctl.config.json'),
      JSON.stringify({
        labels: ['tenant'],
        credits: { anthropic: { balance: 10 } },
        rules: [
          { name: 'openai_tokens', limit: 12_000, unit: 'tokens', window: 'total', scope: { provider: 'openai' } },
          { name: 'acme_requests', limit: 20, unit: 'requests', window: 'total', scope: { tenant: 'acme' } },
          { name: 'globex_usd', limit: 5, window: 'total', scope: { tenant: 'globex' } },
          { name: 'mistral_usd', limit: 10, window: 'total', scope: { provider: 'mistral_ai' } },
        ],
      }),
    );
    const result = costctl(['forecast', '--json'], { cwd });
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      perDayUsd: number;
      rules: { rule: string; unit: string; spent: number; perDay: number; reachedAt: string | null }[];
    };
    const byRule = Object.fromEntries(parsed.rules.map((rule) => [rule.rule, rule]));
    expect(parsed.perDayUsd).toBe(2);
    expect(byRule['credits_anthropic']).toMatchObject({ unit: 'usd', spent: 0, perDay: 0, reachedAt: null });
    expect(byRule['globex_usd']).toMatchObject({ spent: 0, perDay: 0, reachedAt: null });
    expect(byRule['mistral_usd']).toMatchObject({ spent: 3.5, perDay: 0.5 });
    // 7,000 tokens used, 1,000 a day: the other 5,000 take 5 days. Blocked calls used none.
    expect(byRule['openai_tokens']).toMatchObject({ unit: 'tokens', spent: 7000, perDay: 1000 });
    expect(Date.parse(byRule['openai_tokens']!.reachedAt!) - now).toBeCloseTo(5 * 86_400_000, -5);
    // 7 requests left the process, one a day; blocked calls are not requests: 13 more days.
    expect(byRule['acme_requests']).toMatchObject({ unit: 'requests', spent: 7, perDay: 1 });
    expect(Date.parse(byRule['acme_requests']!.reachedAt!) - now).toBeCloseTo(13 * 86_400_000, -5);
    expect(costctl(['forecast'], { cwd }).stdout).toMatch(/openai_tokens\s+total\s+7,000 tokens\s+12,000 tokens\s+1,000 tokens/);
  });

  it('exits 2 with one message on a bad configuration or bad usage', () => {
    const cwd = workdir();
    expect(costctl(['status'], { cwd, env: { COSTCTL_TIMEZONE: 'Nowhere/Land' } })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('COSTCTL_TIMEZONE="Nowhere/Land"'),
    });
    expect(costctl(['gate', 'trip'], { cwd })).toMatchObject({ code: 2, stderr: expect.stringContaining('gate trip needs --reason') });
    expect(costctl([], { cwd }).code).toBe(2);
  });
});
