import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sum } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

let provider: FakeProvider;

beforeAll(async () => {
  // Spaced stream events, so an abort lands mid-stream.
  provider = await startFakeProvider({ chunkDelayMs: 15 });
});

afterAll(async () => {
  await provider.close();
});

describe('transparency', () => {
  it('the app receives the same status, headers, bytes and errors with and without costctl', async () => {
    const env = { FAKE_PROVIDER_URL: provider.url, COSTCTL_ENDPOINTS: `openai=${provider.url}/openai` };
    const without = await runApp('test/apps/raw-transport.mjs', { register: false, env });
    const withCostctl = await runApp('test/apps/raw-transport.mjs', { env });

    expect(without.lines).toHaveLength(1);
    expect(withCostctl.lines).toEqual(without.lines);
    const record = without.lines[0] as { abort: { error?: { name: string } }; stream: { bytes: number } };
    expect(record.abort.error?.name).toBe('AbortError');
    expect(record.stream.bytes).toBeGreaterThan(1000);
    // And costctl did see the calls: JSON, stream, undici, and the aborted one.
    expect(sum(withCostctl.samples, 'costctl_requests_total')).toBe(4);
  });
});
