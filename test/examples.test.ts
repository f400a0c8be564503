// Every example's one command (`npm run example <name>`, less its build step),
// run for real: its own fake provider, Redis or Collector, its app under
// `node --import @costctl/otel/register`; checked against what its README says.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureOtelcol } from './helpers/otel-collector.js';
import { ensureRedis } from './helpers/redis-server.js';
import { repoRoot } from './helpers/run-app.js';

// What the commands fetch or build the first time on a machine (Redis from Debian, the Collector from
// tools/otelcol: minutes), here, so that each command's run is the example alone.
beforeAll(() => {
  ensureRedis();
  ensureOtelcol();
}, 600_000);

function runExample(name: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['examples/run.mjs', name], { cwd: repoRoot, encoding: 'utf8', timeout: 110_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The dollar amounts of a block message: what was spent (and held) and what the refused call could have cost. */
function blockAmounts(line: string): { spent: number; limit: number; reserve: number } {
  const match = /has \$([\d.]+) spent of its \$([\d.]+) limit, and this call could cost up to \$([\d.]+)/.exec(line);
  expect(match, line).not.toBeNull();
  return { spent: Number(match![1]), limit: Number(match![2]), reserve: Number(match![3]) };
}

/** The dollar amount `pattern` captures in `stdout`. */
function money(stdout: string, pattern: RegExp): number {
  const match = pattern.exec(stdout);
  expect(match, `${pattern} in:\n${stdout}`).not.toBeNull();
  return Number(match![1]);
}

describe('examples/', { timeout: 120_000 }, () => {
  it('openai-daily-budget: three calls fit the day, the fourth is refused with a 402 and never reaches the provider', () => {
    const { status, stdout, stderr } = runExample('openai-daily-budget');
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/^ {2}call 1: ok, \d+ tokens in, 24 out\n {2}call 2: ok/m);
    expect(stdout).toMatch(/^ {2}call 3: ok/m);
    const blocked = stdout.match(/^ {2}call 4: blocked by daily_usd: 402 costctl blocked this call: budget rule "daily_usd" \(day\).*$/m);
    expect(blocked).not.toBeNull();
    const { spent, limit, reserve } = blockAmounts(blocked![0]);
    expect(limit).toBe(0.001);
    expect(spent).toBeLessThanOrEqual(limit);
    expect(spent + reserve).toBeGreaterThan(limit);
    expect(stdout).not.toMatch(/call 5/);
    expect(stdout).toContain('The provider received 3 calls; the blocked one never left the app.');
    // `costctl status` and `costctl report` agree, and match the block message (which rounds to three digits).
    const ruleSpent = money(stdout, /daily_usd +day +\$([\d.]+) +\$0\.001 /);
    expect(money(stdout, /openai +gpt-4o +4 +\d+ +72 +\$([\d.]+) +\$0 +0 +1\n/)).toBe(ruleSpent);
    expect(Math.abs(ruleSpent - spent)).toBeLessThan(spent * 0.01);
  });

  it('anthropic: a JSON and a streamed call are priced, the third is refused by the rule of costctl.config.json', () => {
    const { status, stdout, stderr } = runExample('anthropic');
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/^ {2}call 1 \(create\): ok, \d+ tokens in, 24 out\n {2}call 2 \(stream\): ok, \d+ tokens in, 24 out$/m);
    const blocked = stdout.match(
      /^ {2}call 3 \(stream\): blocked by anthropic_daily \(402\): costctl blocked this call: budget rule "anthropic_daily" \(day\).*max_tokens 100.*$/m,
    );
    expect(blocked).not.toBeNull();
    const { spent, limit, reserve } = blockAmounts(blocked![0]);
    expect(limit).toBe(0.002);
    expect(spent + reserve).toBeGreaterThan(limit);
    expect(stdout).toContain('The provider received 2 calls; the blocked one never left the app.');
    const ruleSpent = money(stdout, /anthropic_daily +day +\$([\d.]+) +\$0\.002 /);
    expect(money(stdout, /claude-sonnet-4-6 +3 +\d+ +48 +\$([\d.]+) +\$0 +0 +1\n/)).toBe(ruleSpent);
    expect(Math.abs(ruleSpent - spent)).toBeLessThan(spent * 0.01);
  });

  it('vercel-ai-sdk: streamText and generateText are priced, and generateText is refused with an APICallError 402 at the limit', () => {
    const { status, stdout, stderr } = runExample('vercel-ai-sdk');
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/^ {2}streamText: ok, \d+ tokens in, 24 out: "This reply comes from the …"$/m);
    expect(stdout).toMatch(/^ {2}generateText 1: ok, \d+ tokens in, 24 out\n {2}generateText 2: ok/m);
    const blocked = stdout.match(/^ {2}generateText 3: blocked by daily_usd \(402\): costctl blocked this call: .*$/m);
    expect(blocked).not.toBeNull();
    const { spent, limit, reserve } = blockAmounts(blocked![0]);
    expect(spent + reserve).toBeGreaterThan(limit);
    expect(stdout).not.toMatch(/generateText 4/);
    expect(stdout).toContain('The provider received 3 calls; the blocked one never left the app.');
    expect(Math.abs(money(stdout, /gpt-4o +chat +4 +\d+ +72 +\$([\d.]+) +\$0 +0 +1\n/) - spent)).toBeLessThan(spent * 0.01);
  });

  it('redis-fleet: four processes on one Redis spend the shared budget to within one call, and never past it', () => {
    const { status, stdout, stderr } = runExample('redis-fleet');
    expect(status, stderr).toBe(0);
    // Each worker's last refusal by the rule says how many calls it made in all.
    const calls = new Map<string, number>();
    for (const match of stdout.matchAll(/^ {2}\[worker (\d)\] (\d+) calls made, then blocked by daily_usd: 402 costctl blocked this call/gm))
      calls.set(match[1]!, Number(match[2]));
    expect([...calls.keys()].sort()).toEqual(['1', '2', '3', '4']);
    const made = [...calls.values()].reduce((total, count) => total + count, 0);
    const summary = /The fleet made (\d+) calls \(the provider received (\d+)\) and spent \$([\d.]+) of its \$([\d.]+) \(nothing still held\)/.exec(stdout);
    expect(summary, stdout).not.toBeNull();
    const [, fleetCalls, received, spent, limit] = summary!.map(Number);
    expect(fleetCalls).toBe(made);
    expect(received).toBe(made);
    expect(limit).toBe(0.01);
    expect(spent).toBeLessThanOrEqual(limit!);
    // Every call costs the same: one more would have passed the limit.
    expect(spent! + spent! / made).toBeGreaterThan(limit!);
    expect(stdout).toMatch(/store: redis/);
  });

  it('collector: the app pushes over OTLP as it exits, and the Collector serves its cost and requests to Prometheus', () => {
    const { status, stdout, stderr } = runExample('collector');
    expect(status, stderr).toBe(0);
    expect(stdout).toContain('round 2: gpt-4o-mini 24 tokens out, claude-haiku-4-5 24 tokens out');
    for (const [provider, model] of [
      ['openai', 'gpt-4o-mini'],
      ['anthropic', 'claude-haiku-4-5'],
    ]) {
      const labels = `gen_ai_provider_name="${provider}",gen_ai_request_model="${model}"`;
      expect(stdout).toMatch(
        new RegExp(
          `^ {2}costctl_requests_total\\{costctl_outcome="ok",gen_ai_operation_name="chat",${labels},.*instance="checkout-1",job="checkout"\\} 2$`,
          'm',
        ),
      );
      expect(stdout).toMatch(
        new RegExp(
          `^ {2}costctl_cost_usd_total\\{costctl_cost_source="price_table",gen_ai_operation_name="chat",${labels},.*job="checkout"\\} 0\\.0\\d+$`,
          'm',
        ),
      );
    }
  });

  it('npm run example without a known name lists the examples', () => {
    const { status, stderr } = runExample('no-such-example');
    expect(status).toBe(2);
    expect(stderr).toMatch(
      /No example "no-such-example": npm run example <name>, one of\n {2}anthropic\n {2}collector\n {2}demo\n {2}openai-daily-budget\n {2}redis-fleet\n {2}vercel-ai-sdk/,
    );
  });
});
