import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-app.js';

describe('the README demo', () => {
  it('runs the SDK app under costctl: priced, estimated and unpriced calls, then budgets, alerts, a block and the gate', () => {
    const result = spawnSync(process.execPath, ['examples/demo/run.mjs'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/✓ OpenAI chat, JSON/);
    expect(result.stdout).toMatch(/openai gpt-4o-mini\s+1\s+7\s+24\s+0\.00001545\s+price_table/);
    expect(result.stdout).toMatch(/openai gpt-4\.1-nano\s+1\s+\d+\s+\d+\s+0\.\d+\s+estimated/);
    expect(result.stdout).toMatch(/openai acme-llm-7b .* unpriced: unknown_model/);
    expect(result.stdout).toMatch(/^ {2}costctl_cost_usd_total\{gen_ai_provider_name="anthropic"/m);
    // The stream the fake provider cuts on purpose is shown as meant, and no call failed otherwise.
    expect(result.stdout).toMatch(/✓ OpenAI chat, stream cut by the network +\d+ ms, cut halfway as intended \(TypeError: terminated\)/);
    expect(result.stdout).not.toContain('✗');
    // A clean first run: no Node.js or npm warning a newcomer would have to wonder about.
    expect(result.stderr).not.toMatch(/warn|deprecat|\(node:\d+\)/i);
    // Gauges without a model (gate, store) are no rows of the table; sums show no binary-fraction noise.
    expect(result.stdout).not.toContain('undefined');
    expect(result.stdout).not.toMatch(/\d{13,}/);

    const act2 = result.stdout.slice(result.stdout.indexOf('Budgets and the emergency gate'));
    const alerts = [...act2.matchAll(/costctl alert: all_daily_watch is (\w+)/g)].map((match) => match[1]);
    expect(alerts).toEqual(['warning', 'critical', 'exceeded']);
    expect(act2).toMatch(/app → APIError 402 from openai in \d+ ms, blocked by openai_daily/);
    expect(act2).toMatch(/app → PaymentRequiredError 402 from anthropic in \d+ ms, blocked by gate/);
    expect(act2).toMatch(/gate: TRIPPED since .* by alice: demo: runaway agent suspected[\s\S]*\(exit 3\)/);
    expect(act2).toMatch(/gate reset: calls flow again[\s\S]*app → ok anthropic/);
  });
});
