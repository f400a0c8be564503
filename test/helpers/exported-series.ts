import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider } from '@costctl/testkit';
import type { Sample } from './prometheus.js';
import { runApp } from './run-app.js';

/**
 * A real scrape holding every kind of series the SDK exports: a priced call,
 * blocked calls (a daily limit only the first call fits in, so the budget
 * gauges are there too, with prepaid credits and a display currency) and an
 * unpriced one (a model the price data lacks).
 * What dashboards and rules may query is checked against these samples.
 */
export async function exportedSeries(): Promise<Sample[]> {
  const provider = await startFakeProvider();
  try {
    const env = { FAKE_PROVIDER_URL: provider.url, COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic` };
    const config = join(mkdtempSync(join(tmpdir(), 'costctl-series-')), 'costctl.config.json');
    writeFileSync(config, JSON.stringify({ credits: { openai: { balance: 5 } }, currency: { code: 'EUR', perUsd: 0.9 } }));
    const blocked = await runApp('test/apps/blocked-sdk.mjs', {
      env: { ...env, SDK: 'openai', CALLS: '3', COSTCTL_DAILY_LIMIT_USD: '0.00002', COSTCTL_CONFIG: config },
    });
    if (blocked.lines.map((line) => line.ok).join() !== 'true,false,false') {
      throw new Error(`expected one priced call then two blocked ones, got ${JSON.stringify(blocked.lines)}`);
    }
    const question = [{ role: 'user', content: 'Which model is this?' }];
    const unpriced = await runApp('test/apps/llm-calls.mjs', {
      env: { ...env, CALLS: JSON.stringify([{ api: 'openai.chat', body: { model: 'acme-llm-7b', max_tokens: 16, messages: question } }]) },
    });
    return [...blocked.samples, ...unpriced.samples];
  } finally {
    await provider.close();
  }
}
