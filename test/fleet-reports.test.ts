// Reports and reconciliation of a fleet: two hosts (two processes, each with
// its own ledger directory) share one real redis-server; the costctl CLI, run
// as an operator on one host, reads the fleet's spend from the store's
// window aggregates, or this host's ledger when asked.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { readLedger, type LedgerEntry } from '@costctl/otel';
import { type FakeBilling, type FakeProvider, startFakeBilling, startFakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './helpers/redis-server.js';
import { repoRoot, runApp } from './helpers/run-app.js';

const DAY = 86_400_000;
const ADMIN_KEY = 'sk-admin-FLEET-3b9d';
const cli = join(repoRoot, 'packages/cli/dist/main.js');

let provider: FakeProvider;
let billing: FakeBilling;
let redis: RedisServer;
let prefixes = 0;

/** Runs `costctl …` as an operator would, without blocking this process (the fake servers live here). */
function costctl(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', USER: 'ci', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function withRedis<T>(use: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

interface Host {
  env: Record<string, string>;
  entries: LedgerEntry[];
}

/** A fleet of two hosts on one key prefix: host A makes 3 calls for tenant acme, host B 2 for globex. */
async function twoHosts(): Promise<{ a: Host; b: Host; prefix: string }> {
  const prefix = `reports${++prefixes}:`;
  const host = async (count: number, model: string, tenant: string): Promise<Host> => {
    const env = {
      COSTCTL_STORE: 'redis',
      COSTCTL_REDIS_URL: redis.url,
      COSTCTL_REDIS_KEY_PREFIX: prefix,
      COSTCTL_REDIS_TIMEOUT_MS: '2000',
      COSTCTL_STATE_DIR: mkdtempSync(join(tmpdir(), 'costctl-host-')),
      COSTCTL_LABELS: 'tenant',
      // Every call is held by a rule, so its aggregates travel in its commit.
      COSTCTL_TOTAL_LIMIT_USD: '1000',
      COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
      OPENAI_ADMIN_KEY: ADMIN_KEY,
      COSTCTL_OPENAI_ADMIN_URL: billing.openaiUrl,
    };
    // Stopped once no reservation is held: every commit has reached Redis.
    let held = -1;
    const app = runApp('test/apps/tenant-calls.mjs', { env: { ...env, FAKE_PROVIDER_URL: provider.url, COUNT: String(count), MODEL: model, TENANT: tenant }, until: () => held === 0 });
    const watch = withRedis(async (client) => {
      for (let polls = 0; polls < 500; polls++) {
        held = (await client.hLen(`${prefix}res`)) + (await client.zCard(`${prefix}leases`));
        if (held === 0 && (await client.keys(`${prefix}a:total|label:tenant=${tenant}`)).length > 0) return;
        held = -1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    await Promise.all([app, watch]);
    const entries: LedgerEntry[] = [];
    for await (const entry of readLedger(env.COSTCTL_STATE_DIR)) entries.push(entry);
    return { env, entries };
  };
  const [a, b] = await Promise.all([host(3, 'gpt-4o-mini', 'acme'), host(2, 'gpt-4o', 'globex')]);
  return { a, b, prefix };
}

const cost = (entries: readonly LedgerEntry[]) => entries.reduce((sum, entry) => sum + (entry.cost_usd ?? 0), 0);

/** The fleet the reports read, and one of its own for reconciliation, which moves its spend a day back. */
let fleet: Awaited<ReturnType<typeof twoHosts>>;
let billedFleet: Awaited<ReturnType<typeof twoHosts>>;

beforeAll(async () => {
  [provider, billing, redis] = await Promise.all([startFakeProvider(), startFakeBilling({ keys: { openai: ADMIN_KEY } }), startRedis()]);
  [fleet, billedFleet] = await Promise.all([twoHosts(), twoHosts()]);
});
afterAll(async () => {
  await Promise.all([provider?.close(), billing?.close(), redis?.stop()]);
});

describe('costctl report with the Redis store', () => {
  it("shows the fleet's spend by default, and says so; --source ledger shows this host's calls only", async () => {
    const { a, b } = fleet;
    expect(a.entries).toHaveLength(3);
    expect(b.entries).toHaveLength(2);

    const text = await costctl(['report'], a.env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^fleet: from the Redis store at ${redis.url.replace(/[.]/g, '\\.')} \\(every host sharing it\\), all time\n`));
    expect(text.stdout).toMatch(/total \$[\d.]+ over 5 calls, every host/);

    const rows = JSON.parse((await costctl(['report', '--json'], a.env)).stdout) as { model: string; calls: number; cost: number; source: string }[];
    expect(rows.map(({ model, calls }) => [model, calls]).sort()).toEqual([
      ['gpt-4o', 2],
      ['gpt-4o-mini', 3],
    ]);
    expect(rows.find((row) => row.model === 'gpt-4o-mini')!.cost).toBeCloseTo(cost(a.entries), 12);
    expect(rows.find((row) => row.model === 'gpt-4o')!.cost).toBeCloseTo(cost(b.entries), 12);

    const ledger = await costctl(['report', '--source', 'ledger', '--json'], a.env);
    expect(ledger.code).toBe(0);
    expect(ledger.stderr).toContain(`this host: from the ledger in ${a.env.COSTCTL_STATE_DIR}; other hosts sharing the Redis store are not in it`);
    const own = JSON.parse(ledger.stdout) as { calls: number }[];
    expect(own.reduce((sum, row) => sum + row.calls, 0)).toBe(3);
  });

  it('groups the fleet by an allow-listed label and by day, the rows adding up to the total', async () => {
    const { a, b } = fleet;
    const byTenant = JSON.parse((await costctl(['report', '--by', 'tenant', '--json'], b.env)).stdout) as { tenant: string; calls: number; cost: number }[];
    expect(byTenant.map(({ tenant, calls }) => [tenant, calls]).sort()).toEqual([
      ['acme', 3],
      ['globex', 2],
    ]);
    const today = new Date().toISOString().slice(0, 10);
    const byDay = await costctl(['report', '--by', 'day,provider', '--since', '1d', '--csv'], a.env);
    expect(byDay.code).toBe(0);
    expect(byDay.stderr).toMatch(/fleet: from the Redis store .*, days \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(UTC\)/);
    const [header, ...lines] = byDay.stdout.trim().split('\n');
    expect(header).toBe('day,provider,calls,tokens,cost_usd');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${today},openai,5,\\d+,`));
    expect(Number(lines[0]!.split(',')[4])).toBeCloseTo(cost(a.entries) + cost(b.entries), 12);
  });

  it('refuses what the aggregates do not keep, in one line that says what to do, with exit 2', async () => {
    const { env } = fleet.a;
    const refusals: [string[], RegExp][] = [
      [['--by', 'operation'], /^costctl: --by operation: the fleet's aggregates keep spend by day, provider, model and labels, not per call; add --source ledger/],
      [['--by', 'provider,model'], /^costctl: --by provider,model: the fleet's aggregates keep provider and model each on its own, not crossed/],
      [['--by', 'team'], /^costctl: --by team: the fleet's aggregates keep only labels allow-listed in COSTCTL_LABELS, and COSTCTL_LABELS is tenant; add team there/],
      [['--since', '2020-01-01'], /^costctl: --since 2020-01-01 starts on 2020-01-01: the store keeps each day's aggregates for 366 days after it ends, so the fleet's spend is known from \d{4}-\d{2}-\d{2} on/],
      [['--since', '2026-12-01T10:30:00Z'], /^costctl: --since 2026-12-01T10:30:00Z: the fleet's aggregates keep spend by whole day \(UTC\); give a day such as 2026-12-01/],
      [['--chart'], /^costctl: --chart draws calls over time from the ledger/],
    ];
    const [answered, ...results] = await Promise.all([
      // The same asks are answered from this host's ledger.
      costctl(['report', '--by', 'provider,model,operation', '--source', 'ledger'], env),
      ...refusals.map(([args]) => costctl(['report', ...args], env)),
    ]);
    expect(answered!.code).toBe(0);
    results.forEach((result, i) => {
      const [args, message] = refusals[i]!;
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(result.stderr).toMatch(message);
    });
  });

  it("forecasts from every rule's fleet-wide spend, and says so; --source ledger from this host's calls", async () => {
    const { a, b } = fleet;
    const [text, json, ledger] = await Promise.all([
      costctl(['forecast'], a.env),
      costctl(['forecast', '--json'], a.env),
      costctl(['forecast', '--source', 'ledger', '--json'], a.env),
    ]);
    expect([text.code, json.code, ledger.code, json.stderr, ledger.stderr]).toEqual([0, 0, 0, '', '']);
    expect(text.stdout).toMatch(/^fleet: from the Redis store at .* \(every host sharing it\)\naverage spend over the last 7 complete days \(\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}, UTC\)/);
    const fleetWide = JSON.parse(json.stdout) as { source: string; perDayUsd: number; rules: { rule: string; spent: number }[] };
    expect(fleetWide.source).toBe('fleet');
    expect(fleetWide.rules[0]!.spent).toBeCloseTo(cost(a.entries) + cost(b.entries), 12);
    // Today is still under way: no complete day has spend yet.
    expect(fleetWide.perDayUsd).toBe(0);
    const own = JSON.parse(ledger.stdout) as { rules: { spent: number }[] };
    expect(own.rules[0]!.spent).toBeCloseTo(cost(a.entries), 12);
  });

  it('exits 5 naming the store when Redis cannot be read, instead of showing no spend', async () => {
    const result = await costctl(['report'], { ...fleet.a.env, COSTCTL_REDIS_URL: 'redis://127.0.0.1:1', COSTCTL_REDIS_TIMEOUT_MS: '200' });
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/could not read the window aggregates: the Redis store at redis:\/\/127\.0\.0\.1:1 did not answer/);
  });
});

describe('costctl reconcile with the Redis store', () => {
  it("compares the bill with the fleet's spend, and --adjust corrects by the fleet's difference, once", async () => {
    const { a, b, prefix } = billedFleet;
    // The hosts ran today, a day still being billed: their aggregates move a day back, to a day that is over.
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    await withRedis(async (client) => {
      for (const key of await client.keys(`${prefix}a:day:${today}|*`)) await client.rename(key, key.replace(`a:day:${today}|`, `a:day:${yesterday}|`));
    });
    const fleetUsd = cost(a.entries) + cost(b.entries);
    const billed = fleetUsd + 0.25;
    billing.setBill('openai', [
      { day: yesterday, model: 'gpt-4o-mini-2024-07-18', usd: cost(a.entries) + 0.25 },
      { day: yesterday, model: 'gpt-4o-2024-08-06', usd: cost(b.entries) },
    ]);

    const before = await costctl(['reconcile', '--provider', 'openai', '--since', '2d', '--json'], a.env);
    expect(before.code).toBe(4);
    const compared = JSON.parse(before.stdout) as { source: string; rows: { day: string; model: string; localUsd: number; billedUsd: number; status: string }[] };
    expect(compared.source).toBe('fleet');
    const row = compared.rows.find((r) => r.day === yesterday)!;
    expect(row).toMatchObject({ model: '(all models)', status: 'mismatch' });
    expect(row.localUsd).toBeCloseTo(fleetUsd, 12);
    expect(row.billedUsd).toBeCloseTo(billed, 12);

    // One host's ledger would correct by the other host's spend too: refused.
    const fromLedger = await costctl(['reconcile', '--provider', 'openai', '--source', 'ledger', '--adjust', '--reason', 'invoice'], a.env);
    expect(fromLedger.code).toBe(2);
    expect(fromLedger.stderr).toMatch(/^costctl: reconcile --adjust corrects the budgets every host shares in Redis, so it must compare the bill with every host's spend, not this host's ledger: drop --source ledger/);

    const adjusted = await costctl(['reconcile', '--provider', 'openai', '--since', '2d', '--adjust', '--reason', 'November invoice'], a.env);
    expect(adjusted.code).toBe(0);
    expect(adjusted.stderr).toMatch(new RegExp(`costctl: adjusted openai \\(all models\\) on ${yesterday} by \\+\\$0\\.25 `));
    const entry = (await (async () => {
      for await (const line of readLedger(a.env.COSTCTL_STATE_DIR)) if (line.kind === 'adjustment') return line;
      return undefined;
    })())!;
    expect(entry).toMatchObject({ provider: 'openai', model: null });
    expect(entry.cost_usd).toBeCloseTo(0.25, 12);

    // The correction is in the fleet's spend now: the same bill matches, from either host.
    const after = await costctl(['reconcile', '--provider', 'openai', '--since', '2d'], b.env);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain("against the fleet's spend (every host, from the store's aggregates)");
    const json = JSON.parse((await costctl(['reconcile', '--provider', 'openai', '--since', '2d', '--json'], b.env)).stdout) as { rows: { day: string; local: { usd: number; adjustedUsd: number } }[] };
    const local = json.rows.find((r) => r.day === yesterday)!.local;
    expect(local.usd).toBeCloseTo(fleetUsd, 12);
    expect(local.adjustedUsd).toBeCloseTo(0.25, 12);

    // The same bill exported as CSV from OpenAI's dashboard: no admin key, the provider told by its header row.
    const dir = mkdtempSync(join(tmpdir(), 'costctl-bill-'));
    const at = Date.parse(yesterday) / 1000;
    const csv = (usd: number) =>
      'start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,project_id,organization_id,organization_name\n' +
      `${at},${at + 86_400},${yesterday}T00:00:00+00:00,,${usd},usd,"gpt-4o-mini-2024-07-18, input",proj_1,org-1,Fleet\n`;
    writeFileSync(join(dir, 'costs.csv'), csv(billed));
    writeFileSync(join(dir, 'more.csv'), csv(billed + 1));
    writeFileSync(join(dir, 'other.csv'), 'Date,Service,Cost\n');
    const { OPENAI_ADMIN_KEY: _, ...keyless } = a.env;
    const [same, more, other] = await Promise.all(['costs.csv', 'more.csv', 'other.csv'].map((name) => costctl(['reconcile', '--bill', join(dir, name)], keyless)));
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(new RegExp(`^costctl reconcile: openai, UTC days ${yesterday} to ${yesterday}, tolerance 2%, against the fleet's spend`));
    expect(more.code).toBe(4);
    expect(more.stdout).toMatch(/\+\$1(\.00)? .*BEYOND/);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^costctl: --bill .*other\.csv: not a bill costctl reads \(columns Date, Service, Cost\); --bill takes OpenAI cost export/);
  });

  it('refuses a zone whose days are not UTC days, before fetching the bill', async () => {
    billing.reset();
    const result = await costctl(['reconcile', '--provider', 'openai'], { ...fleet.a.env, COSTCTL_TIMEZONE: 'Asia/Tokyo' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^costctl: the fleet's aggregates keep days of Asia\/Tokyo .*needs COSTCTL_TIMEZONE=UTC/);
    expect(billing.requests).toHaveLength(0);
  });
});
