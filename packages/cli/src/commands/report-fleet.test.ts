import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openState } from '@costctl/otel';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { report, type ReportOptions } from './report.js';

const DAY = 86_400_000;
const today = new Date().toISOString().slice(0, 10);
const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);

/**
 * A file store whose window aggregates hold what the fleet's calls added:
 * yesterday one gpt-4o call for acme; today two gpt-4o calls (acme, globex)
 * and one without a model or label; and a correction of +$0.5 to today's
 * bill, made as `reconcile --adjust` makes it.
 */
async function fleetStore(): Promise<{ cwd: string; env: Record<string, string> }> {
  const cwd = mkdtempSync(join(tmpdir(), 'costctl-report-fleet-'));
  const env = { COSTCTL_STATE_DIR: join(cwd, '.costctl'), COSTCTL_LABELS: 'tenant' };
  const state = await openState({ cwd, env });
  await state.adjust({
    provider: 'openai',
    model: null,
    day: today,
    amountUsd: 0.5,
    reason: 'invoice',
    actor: 'alice',
    source: 'reconcile:openai',
    billedUsd: 4,
    localUsd: 3.5,
  });
  await state.close();
  const db = new DatabaseSync(join(env.COSTCTL_STATE_DIR, 'state.sqlite'));
  const add = db.prepare(`INSERT INTO aggregates (key, usd, tokens, requests, expires_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET usd = usd + excluded.usd, tokens = tokens + excluded.tokens, requests = requests + excluded.requests`);
  const call = (day: string, usd: number, dimensions: string[]) => {
    // Today's calls fall in this hour too.
    const windows = [`day:${day}|`, 'total|', ...(day === today ? [`hour:${new Date().toISOString().slice(0, 13)}|`] : [])];
    for (const window of windows)
      for (const dimension of ['*', 'provider=openai', ...dimensions])
        add.run(window + dimension, usd, usd * 1000, 1, window === 'total|' ? Infinity : Date.now() + 400 * DAY);
  };
  call(yesterday, 1, ['model=gpt-4o', 'label:tenant=acme']);
  call(today, 1, ['model=gpt-4o', 'label:tenant=acme']);
  call(today, 1.25, ['model=gpt-4o', 'label:tenant=globex']);
  call(today, 0.25, []);
  db.close();
  return { cwd, env };
}

async function run(options: ReportOptions, where: { cwd: string; env: Record<string, string> }): Promise<string> {
  let stdout = '';
  const code = await report({ source: 'fleet', ...options }, { ...where, out: (text) => (stdout += text) });
  expect(code).toBe(0);
  return stdout;
}

describe('costctl report --source fleet', () => {
  it('groups by model with corrections and calls without a model on their own rows, adding up to the total', async () => {
    const where = await fleetStore();
    const text = await run({}, where);
    expect(text.split('\n')[0]).toBe(`fleet: from the file store in ${where.env.COSTCTL_STATE_DIR} (every process of this host), all time`);
    expect(text).toContain('total $4.00 over 4 calls, every process of this host');
    const rows = JSON.parse(await run({ json: true }, where)) as { model: string; calls: number; cost: number; adjustment: boolean }[];
    expect(rows.map(({ model, calls, cost, adjustment }) => [model, calls, Number(cost.toFixed(6)), adjustment])).toEqual([
      ['gpt-4o', 3, 3.25, false],
      ['(none) (adjustment)', 0, 0.5, true],
      ['(none)', 1, 0.25, false],
    ]);
  });

  it('groups by label and by day over whole days, each day its own rows', async () => {
    const where = await fleetStore();
    const byTenant = JSON.parse(await run({ by: 'tenant', json: true, since: yesterday }, where)) as { tenant: string; calls: number; cost: number }[];
    expect(byTenant.map(({ tenant, calls, cost }) => [tenant, calls, cost])).toEqual([
      ['acme', 2, 2],
      ['globex', 1, 1.25],
      ['(none) (adjustment)', 0, 0.5],
      ['(none)', 1, 0.25],
    ]);
    const byDay = await run({ by: 'day', csv: true, since: '1d' }, where);
    expect(byDay).toBe(`day,calls,tokens,cost_usd\n${yesterday},1,1000,1\n${today},3,2500,2.5\n${today} (adjustment),0,0,0.5\n`);
    // Only today: yesterday's call is left out.
    expect(await run({ by: 'day', csv: true, since: today }, where)).toBe(`day,calls,tokens,cost_usd\n${today},3,2500,2.5\n${today} (adjustment),0,0,0.5\n`);
  });

  it('charts the fleet by day and by hour, each bar a whole period, and says so', async () => {
    const where = await fleetStore();
    const byDay = await run({ chart: true, since: '1d' }, where);
    expect(byDay.split('\n').slice(0, 2)).toEqual([
      `fleet: from the file store in ${where.env.COSTCTL_STATE_DIR} (every process of this host); whole days`,
      `spend per day (UTC), ${yesterday} to ${today}`,
    ]);
    expect(byDay).toMatch(new RegExp(`${yesterday} .* \\$1(\\.00)?  1 call\n${today} .* \\$3(\\.00)?  3 calls\n`));
    expect(byDay).toContain('total $4.00 over 4 calls');
    const byHour = await run({ chart: 'hour', since: '2h' }, where);
    expect(byHour).toMatch(/^fleet: .*; whole hours\nspend per hour \(UTC\)/);
    // A correction to a bill is a day's, in no hour.
    expect(byHour).toContain('total $2.50 over 3 calls');
  });

  it('refuses in one line what the aggregates do not keep, saying what to do instead', async () => {
    const where = await fleetStore();
    const refusals: [ReportOptions, RegExp][] = [
      [{ by: 'operation' }, /^--by operation: the fleet's aggregates keep spend by day, provider, model and labels, not per call; add --source ledger/],
      [{ by: 'model,tenant' }, /^--by model,tenant: the fleet's aggregates keep model and tenant each on its own, not crossed/],
      [{ by: 'team' }, /^--by team: the fleet's aggregates keep only labels allow-listed in COSTCTL_LABELS, and COSTCTL_LABELS is tenant; add team there/],
      [
        { since: '2020-01-01' },
        /^--since 2020-01-01 starts on 2020-01-01: the store keeps each day's aggregates for 366 days after it ends, so the fleet's spend is known from \d{4}-\d{2}-\d{2} on; start there, or add --source ledger/,
      ],
      [
        { since: '2026-12-01T10:30:00Z' },
        /^--since 2026-12-01T10:30:00Z: the fleet's aggregates keep spend by whole day \(UTC\); give a day such as 2026-12-01/,
      ],
      [
        { chart: 'hour', since: '72h' },
        /^--chart hour from .*: the store keeps hours' aggregates for 48 hours; chart the fleet by day, or add --source ledger/,
      ],
    ];
    for (const [options, message] of refusals) {
      await expect(report({ source: 'fleet', ...options }, { ...where, out: () => {} }), JSON.stringify(options)).rejects.toThrow(message);
    }
  });

  it('refuses an --until that is not a whole day, naming the day to give instead, and a fleet of memory stores', async () => {
    const where = await fleetStore();
    await expect(report({ source: 'fleet', until: `${today}T06:00:00Z` }, { ...where, out: () => {} })).rejects.toThrow(
      new UsageError(
        `--until ${today}T06:00:00Z: the fleet's aggregates keep spend by whole day (UTC); give a day such as ${today} or an age in days such as 7d, or add --source ledger for this host's calls at that precision`,
      ),
    );
    // A memory store is each process's own: this command's would read as no spend at all.
    await expect(report({ source: 'fleet' }, { ...where, env: { ...where.env, COSTCTL_STORE: 'memory' }, out: () => {} })).rejects.toThrow(
      /^--source fleet: with COSTCTL_STORE=memory each process keeps its spend to itself/,
    );
  });
});
