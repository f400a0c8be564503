// costctl reconcile on a fleet: two hosts share one real redis-server; the
// bill (a fake admin API, or a CSV export) is compared with every host's
// spend, and --adjust corrects the shared budgets by the fleet's difference.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLedger } from '@costctl/otel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cost, costctl, startFleet, type Fleet } from './helpers/fleet-hosts.js';

type Run = Awaited<ReturnType<typeof costctl>>;

const DAY = 86_400_000;

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet();
});
afterAll(async () => {
  await fleet?.stop();
});

describe('costctl reconcile with the Redis store', () => {
  it("compares the bill with the fleet's spend, and --adjust corrects by the fleet's difference, once", async () => {
    const { a, b, prefix, billing, withRedis } = fleet;
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

    const [before, fromLedger] = await Promise.all([
      costctl(['reconcile', '--provider', 'openai', '--since', '2d', '--json'], a.env),
      costctl(['reconcile', '--provider', 'openai', '--source', 'ledger', '--adjust', '--reason', 'invoice'], a.env),
    ]);
    expect(before.code).toBe(4);
    const compared = JSON.parse(before.stdout) as {
      source: string;
      rows: { day: string; model: string; localUsd: number; billedUsd: number; status: string }[];
    };
    expect(compared.source).toBe('fleet');
    const row = compared.rows.find((r) => r.day === yesterday)!;
    expect(row).toMatchObject({ model: '(all models)', status: 'mismatch' });
    expect(row.localUsd).toBeCloseTo(fleetUsd, 12);
    expect(row.billedUsd).toBeCloseTo(billed, 12);

    // One host's ledger would correct by the other host's spend too: refused.
    expect(fromLedger.code).toBe(2);
    expect(fromLedger.stderr).toMatch(
      /^costctl: reconcile --adjust corrects the budgets every host shares in Redis, so it must compare the bill with every host's spend, not this host's ledger: drop --source ledger/,
    );

    const adjusted = await costctl(['reconcile', '--provider', 'openai', '--since', '2d', '--adjust', '--reason', 'November invoice'], a.env);
    expect(adjusted.code).toBe(0);
    expect(adjusted.stderr).toMatch(new RegExp(`costctl: adjusted openai \\(all models\\) on ${yesterday} by \\+\\$0\\.25 `));
    const entry = (await (async () => {
      for await (const line of readLedger(a.env.COSTCTL_STATE_DIR!)) if (line.kind === 'adjustment') return line;
      return undefined;
    })())!;
    expect(entry).toMatchObject({ provider: 'openai', model: null });
    expect(entry.cost_usd).toBeCloseTo(0.25, 12);

    // The correction is in the fleet's spend now: the same bill matches, from either host.
    const [after, again] = await Promise.all([
      costctl(['reconcile', '--provider', 'openai', '--since', '2d'], b.env),
      costctl(['reconcile', '--provider', 'openai', '--since', '2d', '--json'], b.env),
    ]);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain("against the fleet's spend (every host, from the store's aggregates)");
    const json = JSON.parse(again.stdout) as { rows: { day: string; local: { usd: number; adjustedUsd: number } }[] };
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
    const [same, more, other] = (await Promise.all(
      ['costs.csv', 'more.csv', 'other.csv'].map((name) => costctl(['reconcile', '--bill', join(dir, name)], keyless)),
    )) as [Run, Run, Run];
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(new RegExp(`^costctl reconcile: openai, UTC days ${yesterday} to ${yesterday}, tolerance 2%, against the fleet's spend`));
    expect(more.code).toBe(4);
    expect(more.stdout).toMatch(/\+\$1(\.00)? .*BEYOND/);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^costctl: --bill .*other\.csv: not a bill costctl reads \(columns Date, Service, Cost\); --bill takes OpenAI cost export/);
  });

  it('refuses a zone whose days are not UTC days, before fetching the bill', async () => {
    fleet.billing.reset();
    const result = await costctl(['reconcile', '--provider', 'openai'], { ...fleet.a.env, COSTCTL_TIMEZONE: 'Asia/Tokyo' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^costctl: the fleet's aggregates keep days of Asia\/Tokyo .*needs COSTCTL_TIMEZONE=UTC/);
    expect(fleet.billing.requests).toHaveLength(0);
  });
});
