// costctl reconcile as an operator runs it: the real CLI process against a
// fake billing server speaking OpenAI's and Anthropic's admin APIs, over a
// ledger an instrumented app wrote through the official SDKs.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLedger, type LedgerEntry } from '@costctl/otel';
import { type BilledDay, type FakeBilling, type FakeProvider, startFakeBilling, startFakeProvider, withScenario } from '@costctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullDisk, inOwnMounts } from './helpers/own-mounts.js';
import { startRedis } from './helpers/redis-server.js';
import { repoRoot, runApp } from './helpers/run-app.js';

const OPENAI_KEY = 'sk-admin-RECONCILE-7f3a9c1e5b';
const ANTHROPIC_KEY = 'sk-ant-admin01-RECONCILE-44d2e8';
const DAY = 86_400_000;
const cli = join(repoRoot, 'packages/cli/dist/main.js');

/** Runs `costctl …` as a user would, without blocking this process (the fake billing server lives here). */
function costctl(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', USER: 'ci', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

let provider: FakeProvider;
let billing: FakeBilling;
/** The state directory the app left: its ledger moved a day back, and its file store. */
let original: string;
let configPath: string;
let entries: LedgerEntry[];

/** The model a bill names for a ledger entry: the response's snapshot, without its date. */
const family = (entry: LedgerEntry) => (entry.response_model ?? entry.model ?? '').replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, '');
const spent = (model: string, owner = 'openai') =>
  entries.filter((entry) => entry.provider === owner && family(entry) === model).reduce((sum, entry) => sum + (entry.cost_usd ?? 0), 0);
const day = (offset = -1) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

/** A fresh copy of the app's state directory, and the environment of costctl run on it. */
function operator(extra: Record<string, string> = {}): { stateDir: string; env: Record<string, string> } {
  const stateDir = mkdtempSync(join(tmpdir(), 'costctl-reconcile-state-'));
  cpSync(original, stateDir, { recursive: true });
  const env = {
    COSTCTL_CONFIG: configPath,
    COSTCTL_STATE_DIR: stateDir,
    COSTCTL_TOTAL_LIMIT_USD: '1000',
    OPENAI_ADMIN_KEY: OPENAI_KEY,
    ANTHROPIC_ADMIN_KEY: ANTHROPIC_KEY,
    COSTCTL_OPENAI_ADMIN_URL: billing.openaiUrl,
    COSTCTL_ANTHROPIC_ADMIN_URL: billing.url,
    ...extra,
  };
  return { stateDir, env };
}

/** What the bill of yesterday says when it agrees with the ledger up to `factor`, model by model. */
function agreeing(factor: number): BilledDay[] {
  const tokens = (model: string) => entries.filter((entry) => family(entry) === model);
  return ['gpt-4o-mini'].map((model) => ({
    day: day(),
    model: `${model}-2024-07-18`,
    usd: spent(model) * factor,
    inputTokens: tokens(model).reduce((sum, entry) => sum + entry.tokens.input, 0),
    outputTokens: tokens(model).reduce((sum, entry) => sum + entry.tokens.output, 0),
    requests: tokens(model).length,
  }));
}

beforeAll(async () => {
  provider = await startFakeProvider();
  billing = await startFakeBilling({ keys: { openai: OPENAI_KEY, anthropic: ANTHROPIC_KEY } });
  const dir = mkdtempSync(join(tmpdir(), 'costctl-reconcile-'));
  configPath = join(dir, 'costctl.config.json');
  // Prices that make each call cost cents, so the tolerance is tested on amounts a bill shows.
  const cents = { input: 10_000, output: 10_000 };
  writeFileSync(
    configPath,
    JSON.stringify({
      prices: {
        openai: { 'gpt-4o-mini': cents, 'gpt-4o-mini-2024-07-18': cents },
        anthropic: { 'claude-haiku-4-5': cents, 'claude-haiku-4-5-20251001': cents },
      },
    }),
  );
  const ask = (content: string) => [{ role: 'user', content }];
  const calls = [
    { api: 'openai.chat', body: { model: 'gpt-4o-mini', messages: ask('What did this cost?') } },
    { api: 'openai.chat', body: { model: 'gpt-4o-mini', messages: ask('And this one?') } },
    { api: 'openai.chat', body: { model: 'gpt-4o-mini', messages: ask('A third question, a little longer than the others.') } },
    {
      api: 'openai.chat',
      body: { model: withScenario('gpt-4o-mini', 'cut'), stream: true, stream_options: { include_usage: true }, messages: ask('Tell me a long story.') },
    },
    { api: 'openai.chat', body: { model: 'acme-llm-7b', messages: ask('Who prices me?') } },
    { api: 'anthropic.messages', body: { model: 'claude-haiku-4-5', max_tokens: 64, messages: ask('Hello Claude') } },
  ];
  original = join(dir, '.costctl');
  await runApp('test/apps/llm-calls.mjs', {
    env: {
      FAKE_PROVIDER_URL: provider.url,
      COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`,
      CALLS: JSON.stringify(calls),
      COSTCTL_CONFIG: configPath,
      COSTCTL_STATE_DIR: original,
      COSTCTL_TOTAL_LIMIT_USD: '1000',
    },
  });
  // The app ran today, a day the providers are still billing; its calls move a day back, to a day that is over.
  const today: LedgerEntry[] = [];
  for await (const entry of readLedger(original)) today.push(entry);
  entries = today.map((entry) => ({ ...entry, time: new Date(Date.parse(entry.time) - DAY).toISOString() }));
  for (const name of readdirSync(original).filter((file) => file.startsWith('ledger-'))) rmSync(join(original, name));
  for (const entry of entries) writeFileSync(join(original, `ledger-${entry.time.slice(0, 10)}.jsonl`), `${JSON.stringify(entry)}\n`, { flag: 'a' });
});

afterAll(async () => {
  await provider.close();
  await billing.close();
});

describe('costctl reconcile', () => {
  it('wrote a ledger with priced, estimated and unpriced calls to reconcile', () => {
    expect(entries.map((entry) => [entry.provider, family(entry), entry.cost_source ?? entry.unpriced_reason])).toEqual([
      ['openai', 'gpt-4o-mini', 'price_table'],
      ['openai', 'gpt-4o-mini', 'price_table'],
      ['openai', 'gpt-4o-mini', 'price_table'],
      ['openai', 'gpt-4o-mini', 'estimated'],
      ['openai', 'acme-llm-7b', 'unknown_model'],
      ['anthropic', 'claude-haiku-4-5', 'price_table'],
    ]);
    expect(spent('gpt-4o-mini')).toBeGreaterThan(0.05);
  });

  it('exits 0 when every complete day is within the tolerance of the bill', async () => {
    billing.setBill('openai', agreeing(1.015));
    const { env } = operator();
    const result = await costctl(['reconcile', '--provider', 'openai'], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`${day()}  gpt-4o-mini +4 +\\$[\\d.]+ +\\$[\\d.]+ +\\+\\$[\\d.]+ +\\+1\\.5% +ok`));
    expect(result.stdout).toContain('every complete day is within 2% of the bill');
    // The same bill fails a tighter tolerance.
    expect((await costctl(['reconcile', '--provider', 'openai', '--tolerance', '1%'], env)).code).toBe(4);
  });

  it('exits 4 beyond the tolerance and names what explains it: unpriced and estimated calls, traffic without costctl', async () => {
    const cut = entries.find((entry) => entry.cost_source === 'estimated')!;
    const unpriced = entries.find((entry) => entry.unpriced_reason === 'unknown_model')!;
    billing.setBill('openai', [
      ...agreeing(1).map((bill) => ({ ...bill, usd: bill.usd + 0.4, inputTokens: bill.inputTokens! + 20_000 })),
      { day: day(), model: 'acme-llm-7b', usd: 0.05 },
      { day: day(-2), model: 'gpt-4o-2024-08-06', usd: 1.25, inputTokens: 5000, outputTokens: 1000, requests: 3 },
    ]);
    const result = await costctl(['reconcile', '--provider', 'openai', '--since', '3d'], operator().env);
    expect(result.code).toBe(4);
    const [, explained] = result.stdout.split('What explains the differences:\n');
    expect(explained).toContain(
      `  ${day(-2)} gpt-4o: billed $1.25, ledger $0 (+$1.25)\n    - billed, but no call at all in the ledger that day: traffic from processes without costctl`,
    );
    expect(explained).toContain(`  ${day()} acme-llm-7b: billed $0.05, ledger $0 (+$0.05)\n    - 1 call unpriced (unknown_model ×1)`);
    expect(explained).toContain(`      ${unpriced.time}  ${unpriced.response_id}  ok  unknown_model\n`);
    expect(explained).toMatch(/- 1 stream cut before the provider's usage arrived, estimated at \$[\d.]+\n/);
    expect(explained).toContain(`      ${cut.time}  ${cut.response_id ?? '(no response id)'}  ${cut.outcome}\n`);
    expect(explained).toMatch(/billed \d+ tokens in 4 requests; the ledger has \d+ in 4 calls sent: calls costctl did not see/);
    expect(result.stdout).toMatch(/3 of 3 day\/model rows differ by more than 2%/);
  });

  it('reads every page, and waits out a 429 as retry-after asks', async () => {
    await billing.close();
    billing = await startFakeBilling({ keys: { openai: OPENAI_KEY, anthropic: ANTHROPIC_KEY }, pageSize: 2 });
    const claude = entries.find((entry) => entry.provider === 'anthropic')!;
    billing.setBill('anthropic', [
      { day: day(-5), model: 'claude-haiku-4-5-20251001', usd: 0.75 },
      {
        day: day(),
        model: 'claude-haiku-4-5-20251001',
        usd: spent('claude-haiku-4-5', 'anthropic'),
        inputTokens: claude.tokens.input,
        outputTokens: claude.tokens.output,
      },
    ]);
    billing.rateLimit(1, 1);
    const started = Date.now();
    const result = await costctl(['reconcile', '--provider', 'anthropic', '--since', '6d', '--json'], operator().env);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.stderr).toMatch(
      /^costctl: Anthropic http:\/\/127\.0\.0\.1:\d+\/v1\/organizations\/cost_report: 429 Rate limit reached.*; retrying in 1\.0 s \(1\/4\)\n$/,
    );
    // 7 days at 2 a page: 4 pages of costs, 4 of usage, after the one 429.
    const cursors = billing.requests.map((request) => [request.path.split('/').at(-1), request.status, new URLSearchParams(request.query).has('page')]);
    expect(cursors).toEqual([
      ['cost_report', 429, false],
      ['cost_report', 200, false],
      ['cost_report', 200, true],
      ['cost_report', 200, true],
      ['cost_report', 200, true],
      ['messages', 200, false],
      ['messages', 200, true],
      ['messages', 200, true],
      ['messages', 200, true],
    ]);
    const report = JSON.parse(result.stdout) as { rows: { day: string; model: string; status: string; billedUsd: number; localUsd: number }[] };
    expect(report.rows.map((row) => [row.day, row.model, row.status])).toEqual([
      [day(-5), 'claude-haiku-4-5', 'mismatch'],
      [day(), 'claude-haiku-4-5', 'match'],
    ]);
    expect(report.rows[0]!.billedUsd).toBeCloseTo(0.75, 12);
    expect(result.code).toBe(4);
  });

  it('shows the day still being billed as partial, and leaves it out of the verdict', async () => {
    billing.setBill('openai', [...agreeing(1), { day: day(0), model: 'gpt-4o-mini-2024-07-18', usd: 50 }]);
    const result = await costctl(['reconcile', '--provider', 'openai', '--since', '1d', '--json'], operator().env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      verdict: string;
      totals: { billedUsd: number };
      rows: { day: string; model: string; status: string; explanations: { kind: string }[] }[];
    };
    expect(report.verdict).toBe('match');
    expect(report.rows.map((row) => [row.day, row.model, row.status])).toEqual([
      [day(), 'acme-llm-7b', 'match'],
      [day(), 'gpt-4o-mini', 'match'],
      [day(0), 'gpt-4o-mini', 'partial'],
    ]);
    expect(report.rows[2]!.explanations[0]!.kind).toBe('partial');
    expect(report.totals.billedUsd).toBeCloseTo(spent('gpt-4o-mini'), 12);
  });

  it('with --adjust, writes the difference to the ledger and the budgets; status, report and the next reconcile follow the bill', async () => {
    billing.setBill('openai', [
      ...agreeing(1).map((bill) => ({ ...bill, usd: bill.usd + 0.5 })),
      { day: day(), model: null, usd: 0.2, description: 'Web search tool calls' },
    ]);
    const { stateDir, env } = operator();
    const before = JSON.parse((await costctl(['status', '--json'], env)).stdout) as { rules: { name: string; spent: number }[] };
    const adjusted = await costctl(['reconcile', '--provider', 'openai', '--adjust', '--reason', 'November invoice', '--actor', 'alice'], env);
    expect(adjusted.code).toBe(0);
    const lines = adjusted.stderr.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^costctl: adjusted openai gpt-4o-mini on ${day()} by \\+\\$0\\.5 \\(billed \\$[\\d.]+, ledger \\$[\\d.]+\\) by alice: "November invoice"; budgets: total_usd$`,
      ),
    );
    expect(lines.slice(1)).toEqual([
      `costctl: adjusted openai (not per model) on ${day()} by +$0.2 (billed $0.2, ledger $0) by alice: "November invoice"; budgets: total_usd`,
      '',
    ]);
    expect(adjusted.stdout).toContain('adjusted: 2 day/model differences, +$0.7 in all, now in the ledger and the budgets');

    const after = JSON.parse((await costctl(['status', '--json'], env)).stdout) as { rules: { name: string; spent: number }[] };
    expect(after.rules[0]!.name).toBe('total_usd');
    expect(after.rules[0]!.spent - before.rules[0]!.spent).toBeCloseTo(0.7, 12);

    const report = JSON.parse((await costctl(['report', '--json'], env)).stdout) as { provider: string; model: string; calls: number; cost: number }[];
    expect(report.filter((row) => row.model.endsWith('(adjustment)')).map((row) => [row.model, row.calls, Number(row.cost.toFixed(6))])).toEqual([
      ['gpt-4o-mini (adjustment)', 0, 0.5],
      ['not per model (adjustment)', 0, 0.2],
    ]);
    expect((await costctl(['report', '--by', 'provider'], env)).stdout).toMatch(
      /over 6 calls, including \$0\.7 of adjustments to the providers' bills \(costctl reconcile --adjust\)\n$/,
    );
    const ledger = readFileSync(join(stateDir, `ledger-${day()}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LedgerEntry);
    expect(ledger.filter((line) => line.kind === 'adjustment').map((line) => line.adjustment)).toEqual([
      expect.objectContaining({ day: day(), reason: 'November invoice', actor: 'alice', source: 'reconcile:openai' }),
      expect.objectContaining({ day: day(), reason: 'November invoice', actor: 'alice', source: 'reconcile:openai', billed_usd: 0.2, local_usd: 0 }),
    ]);

    const again = await costctl(['reconcile', '--provider', 'openai', '--tolerance', '0'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('every complete day is within 0% of the bill');
  });

  it('with --adjust and a store or ledger that cannot take it, makes no adjustment at all and exits 5 saying so', async () => {
    billing.setBill(
      'openai',
      agreeing(1).map((bill) => ({ ...bill, usd: bill.usd + 0.5 })),
    );
    const redis = await startRedis();
    const adjust = ['reconcile', '--provider', 'openai', '--adjust', '--reason', 'November invoice', '--actor', 'alice'];
    const ledgerOf = (dir: string) =>
      readdirSync(dir)
        .filter((name) => name.startsWith('ledger-'))
        .map((name) => readFileSync(join(dir, name), 'utf8'));
    try {
      const { stateDir, env } = operator({ COSTCTL_STORE: 'redis', COSTCTL_REDIS_URL: redis.url, COSTCTL_REDIS_KEY_PREFIX: 'adjust:' });
      const totalSpent = async () => (JSON.parse((await costctl(['status', '--json'], env)).stdout) as { rules: { spent: number }[] }).rules[0]!.spent;

      // Redis down: the fleet's spend cannot be read, so no correction can be computed, and the ledger must not claim one.
      const before = ledgerOf(stateDir);
      await redis.kill();
      const down = await costctl(adjust, env);
      expect(down.code).toBe(5);
      expect(down.stderr).toMatch(
        /^costctl: could not read the window aggregates: the Redis store at redis:\/\/127\.0\.0\.1:\d+ did not answer \(.+\); check that Redis is running and reachable there, then retry\n$/,
      );
      expect(down.stdout).toBe('');
      expect(ledgerOf(stateDir)).toEqual(before);
      await redis.restart();

      // A full disk under the ledger: the budgets counted it first, and take it back.
      const full = mkdtempSync(join(tmpdir(), 'costctl-reconcile-full-'));
      const script = `${fullDisk(full)}\ncode=0; "$@" || code=$?\necho "ledger bytes: $(cat '${full}'/ledger-*.jsonl 2>/dev/null | wc -c)"\nexit $code`;
      const filled = await inOwnMounts(script, [process.execPath, cli, ...adjust], { ...env, USER: 'ci', COSTCTL_STATE_DIR: full });
      expect(filled.code).toBe(5);
      // With Redis, the difference is the fleet's: a day of the provider, not per model.
      expect(filled.stderr).toMatch(
        new RegExp(
          `^costctl: the adjustment of openai \\(not per model\\) on ${day()} by [\\d.]+ USD was NOT made \\(ledger and budgets unchanged\\): the disk holding ${full} is full \\(.+\\); free space there, then retry\n$`,
        ),
      );
      expect(filled.stdout).toBe('ledger bytes: 0\n');
      expect(await totalSpent()).toBe(0);
    } finally {
      await redis.stop();
    }
  });

  it('exits 5 before asking for the bill when the ledger directory does not exist, instead of calling every billed call unseen', async () => {
    billing.setBill('openai', agreeing(1));
    const requests = billing.requests.length;
    const missing = join(tmpdir(), 'costctl-reconcile-nowhere', '.costctl');
    const result = await costctl(['reconcile', '--provider', 'openai'], { ...operator().env, COSTCTL_STATE_DIR: missing });
    expect(result).toMatchObject({ code: 5, stdout: '' });
    expect(result.stderr).toBe(
      `costctl: could not read the ledger in ${missing}: it does not exist: no instrumented app has written a ledger there; run costctl where the apps run, or set COSTCTL_STATE_DIR to their state directory\n`,
    );
    expect(billing.requests.length).toBe(requests);
  });

  it('never shows the admin keys: not on stdout or stderr, not in the ledger, the store or the audit log', async () => {
    billing.setBill('openai', [{ day: day(), model: 'gpt-4o-2024-08-06', usd: 3 }]);
    billing.setBill('anthropic', [{ day: day(), model: 'claude-haiku-4-5-20251001', usd: 2 }]);
    billing.rateLimit(1, 1);
    const { stateDir, env } = operator();
    const runs = [
      await costctl(['reconcile', '--provider', 'openai', '--json'], env),
      await costctl(['reconcile', '--provider', 'anthropic', '--adjust', '--reason', 'bill'], env),
      await costctl(['reconcile', '--provider', 'openai'], { ...env, OPENAI_ADMIN_KEY: `${OPENAI_KEY}-revoked` }),
      await costctl(['gate', 'trip', '--reason', 'reconcile drill'], env),
      await costctl(['gate', 'reset', '--reason', 'reconcile drill over'], env),
    ];
    expect(runs.map((run) => run.code)).toEqual([4, 0, 1, 0, 0]);
    expect(runs[0]!.stderr).toMatch(/: 429 Rate limit reached.*; retrying in 1\.0 s \(1\/4\)\n$/);
    expect(runs[2]!.stderr).toMatch(
      /^costctl: OpenAI http:\/\/127\.0\.0\.1:\d+\/v1\/organization\/costs answered 401 Incorrect API key provided: \[redacted\]; check that OPENAI_ADMIN_KEY holds an admin key/,
    );
    const files = readdirSync(stateDir).map((name) => readFileSync(join(stateDir, name)).toString('latin1'));
    expect(readdirSync(stateDir)).toEqual(expect.arrayContaining(['audit.jsonl', `ledger-${day()}.jsonl`]));
    for (const text of [...runs.flatMap((run) => [run.stdout, run.stderr]), ...files]) {
      for (const secret of [OPENAI_KEY, ANTHROPIC_KEY, 'RECONCILE-7f3a9c1e5b', 'RECONCILE-44d2e8']) expect(text).not.toContain(secret);
    }
  });
});
