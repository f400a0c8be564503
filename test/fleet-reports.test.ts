// costctl report and forecast on a fleet: two hosts (two processes, each
// with its own ledger directory) share one real redis-server; the CLI, run
// as an operator on one host, reads the fleet's spend from the store's
// window aggregates, or this host's ledger when asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cost, costctl, startFleet, type Fleet } from './helpers/fleet-hosts.js';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet();
});
afterAll(async () => {
  await fleet?.stop();
});

describe('costctl report with the Redis store', () => {
  it("shows the fleet's spend by default, and says so; --source ledger shows this host's calls only", async () => {
    const { a, b } = fleet;
    expect(a.entries).toHaveLength(3);
    expect(b.entries).toHaveLength(2);

    const text = await costctl(['report'], a.env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`^fleet: from the Redis store at ${fleet.redis.url.replace(/[.]/g, '\\.')} \\(every host sharing it\\), all time\n`),
    );
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

  it('refuses what the aggregates do not keep, in one line that says what to do, with exit 2; the ledger answers it', async () => {
    const { env } = fleet.a;
    // Each refusal's wording is pinned in packages/cli/src/commands/report-fleet.test.ts; here, the command as run.
    const [refused, answered] = await Promise.all([
      costctl(['report', '--by', 'provider,model'], env),
      costctl(['report', '--by', 'provider,model', '--source', 'ledger'], env),
    ]);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toMatch(
      /^costctl: --by provider,model: the fleet's aggregates keep provider and model each on its own, not crossed; group by one of them \(with day if you like\), or add --source ledger/,
    );
    expect(answered.code).toBe(0);
    expect(answered.stdout).toMatch(/^this host: from the ledger in .*; other hosts sharing the Redis store are not in it/);
  });

  it("forecasts from every rule's fleet-wide spend, and says so; --source ledger from this host's calls", async () => {
    const { a, b } = fleet;
    const [text, json, ledger] = await Promise.all([
      costctl(['forecast'], a.env),
      costctl(['forecast', '--json'], a.env),
      costctl(['forecast', '--source', 'ledger', '--json'], a.env),
    ]);
    expect([text.code, json.code, ledger.code, json.stderr, ledger.stderr]).toEqual([0, 0, 0, '', '']);
    expect(text.stdout).toMatch(
      /^fleet: from the Redis store at .* \(every host sharing it\)\naverage spend over the last 7 complete days \(\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}, UTC\)/,
    );
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
