import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { RECONCILE_MISMATCH_EXIT, reconcile, type ReconcileOptions } from './reconcile.js';

const DAY = 86_400_000;
const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
const CUR_HEADER =
  'identity/LineItemId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/ProductCode,lineItem/UsageType,lineItem/CurrencyCode,lineItem/UnblendedCost,product/ProductName';

/** A working directory whose ledger holds two Bedrock calls yesterday, $0.05 each, on two models; and a CUR billing `usd` for Bedrock that day. */
function workdir(usd: number): { cwd: string; env: Record<string, string>; bill: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'costctl-reconcile-bill-'));
  const stateDir = join(cwd, '.costctl');
  mkdirSync(stateDir);
  const call = (n: number, model: string) =>
    JSON.stringify({
      time: `${yesterday}T0${n}:00:00.000Z`,
      provider: 'aws.bedrock',
      operation: 'chat',
      model,
      response_model: null,
      response_id: null,
      outcome: 'ok',
      tokens: { input: 80, output: 20 },
      cost_usd: 0.05,
      cost_source: 'price_table',
      unpriced_reason: null,
      labels: {},
    });
  writeFileSync(
    join(stateDir, `ledger-${yesterday}.jsonl`),
    `${call(1, 'meta.llama3-3-70b-instruct-v1:0')}\n${call(2, 'anthropic.claude-3-5-haiku-20241022-v1:0')}\n`,
  );
  const bill = join(cwd, 'cur.csv');
  writeFileSync(
    bill,
    `${CUR_HEADER}\nli-1,Usage,${yesterday}T00:00:00Z,${yesterday}T01:00:00Z,AmazonBedrock,USE1-Llama3-3-70B-input-tokens,USD,${usd / 2},Amazon Bedrock\n` +
      `li-2,Usage,${yesterday}T01:00:00Z,${yesterday}T02:00:00Z,AmazonBedrock,USE1-Claude3-5Haiku-output-tokens,USD,${usd / 2},Amazon Bedrock\n`,
  );
  return { cwd, env: { COSTCTL_STATE_DIR: stateDir, COSTCTL_TOTAL_LIMIT_USD: '100' }, bill };
}

async function run(options: ReconcileOptions, where: { cwd: string; env: Record<string, string> }) {
  let stdout = '';
  const code = await reconcile(options, { ...where, out: (text) => (stdout += text) });
  return { code, stdout };
}

describe('costctl reconcile --bill with an AWS Cost and Usage Report', () => {
  it("compares Bedrock's whole day with every model of the ledger that day, without an admin key", async () => {
    const where = workdir(0.1);
    const { code, stdout } = await run({ bill: where.bill, json: true }, where);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      provider: string;
      source: string;
      rows: { day: string; model: string; localUsd: number; billedUsd: number; local: { calls: number } }[];
    };
    expect(result).toMatchObject({ provider: 'aws.bedrock', source: 'ledger' });
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({ day: yesterday, model: '(all models)', local: { calls: 2 } });
    expect(result.rows[0]!.localUsd).toBeCloseTo(0.1, 12);
    expect(result.rows[0]!.billedUsd).toBeCloseTo(0.1, 12);
  });

  it('exits 4 beyond the tolerance, and --adjust writes one correction for the day, not per model', async () => {
    const where = workdir(0.3);
    expect((await run({ bill: where.bill }, where)).code).toBe(RECONCILE_MISMATCH_EXIT);
    const adjusted = await run({ bill: where.bill, adjust: true, reason: 'November AWS invoice', actor: 'alice' }, where);
    expect(adjusted.code).toBe(0);
    const lines = readFileSync(join(where.env.COSTCTL_STATE_DIR!, `ledger-${yesterday}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind?: string; provider: string; model: string | null; cost_usd: number });
    const corrections = lines.filter((line) => line.kind === 'adjustment');
    expect(corrections).toHaveLength(1);
    expect(corrections[0]).toMatchObject({ provider: 'aws.bedrock', model: null });
    expect(corrections[0]!.cost_usd).toBeCloseTo(0.2, 12);
    // The corrected day now matches the same bill.
    expect((await run({ bill: where.bill }, where)).code).toBe(0);
  });

  it("refuses a --provider that is not the bill's", async () => {
    const where = workdir(0.1);
    await expect(run({ bill: where.bill, provider: 'openai' }, where)).rejects.toThrow(
      new UsageError(`--provider openai, but ${where.bill} bills aws.bedrock (AWS Cost and Usage Report): drop --provider, or give that provider's bill`),
    );
    await expect(run({ bill: join(where.cwd, 'missing.csv') }, where)).rejects.toThrow(/^--bill .*missing\.csv: cannot be read \(ENOENT/);
  });
});
