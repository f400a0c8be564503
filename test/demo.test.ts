import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-app.js';

describe('the README demo', () => {
  it('runs the SDK app under costctl and prints priced, estimated and unpriced calls', () => {
    const result = spawnSync(process.execPath, ['examples/demo/run.mjs'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/✓ OpenAI chat, JSON/);
    expect(result.stdout).toMatch(/openai gpt-4o-mini\s+1\s+7\s+24\s+0\.00001545\s+price_table/);
    expect(result.stdout).toMatch(/openai gpt-4\.1-nano\s+1\s+\d+\s+\d+\s+0\.\d+\s+estimated/);
    expect(result.stdout).toMatch(/openai acme-llm-7b .* unpriced: unknown_model/);
    expect(result.stdout).toMatch(/^ {2}costctl_cost_usd_total\{gen_ai_provider_name="anthropic"/m);
  });
});
