import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/ports.js';
import { sum } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

let provider: FakeProvider;
let slow: FakeProvider;

beforeAll(async () => {
  // Spaced stream events, so an abort lands mid-stream.
  provider = await startFakeProvider({ chunkDelayMs: 15 });
  // A head and events that come late, for undici's timeouts and an abort before the answer.
  slow = await startFakeProvider({ latencyMs: 1500, chunkDelayMs: 1500 });
});

afterAll(async () => {
  await provider.close();
  await slow.close();
});

describe('transparency', () => {
  it('through fetch: the app receives the same status, headers, bytes, errors and backpressure with and without costctl', async () => {
    const flood = await freePort();
    const env = {
      FAKE_PROVIDER_URL: provider.url,
      FLOOD_PORT: String(flood),
      COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,openai=http://127.0.0.1:${flood}/v1`,
    };
    const without = await runApp('test/apps/raw-transport.mjs', { register: false, env });
    const withCostctl = await runApp('test/apps/raw-transport.mjs', { env });

    expect(without.lines).toHaveLength(1);
    expect(withCostctl.lines).toEqual(without.lines);
    const record = without.lines[0] as { abort: { error?: { name: string } }; stream: { bytes: number }; backpressure: object };
    expect(record.abort.error?.name).toBe('AbortError');
    expect(record.stream.bytes).toBeGreaterThan(1000);
    expect(record.backpressure).toEqual({ heldBack: true, finished: true, readAll: true });
    // And costctl did see the calls: JSON, stream, undici, the aborted one and the 64 MiB stream.
    expect(sum(withCostctl.samples, 'costctl_requests_total')).toBe(5);
  });

  it('through the undici package: request(), stream(), fetch() and its own Agent; error statuses, a cut stream, aborts, its timeouts, a refused connection and backpressure are the same', async () => {
    const flood = await freePort();
    const env = {
      FAKE_PROVIDER_URL: provider.url,
      SLOW_PROVIDER_URL: slow.url,
      FLOOD_PORT: String(flood),
      COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,openai=${slow.url}/openai,openai=http://127.0.0.1:${flood}/v1`,
    };
    const without = await runApp('test/apps/transparency-undici.mjs', { register: false, env });
    const withCostctl = await runApp('test/apps/transparency-undici.mjs', { env });

    expect(without.lines).toHaveLength(1);
    expect(withCostctl.lines).toEqual(without.lines);
    // The record says what it should, so "equal" cannot mean "equally broken".
    expect(without.lines[0]).toMatchObject({
      json: { status: 200 },
      stream: { status: 200 },
      fetch: { status: 200 },
      error429: { status: 429 },
      error500: { status: 500 },
      cut: { status: 200, error: { code: expect.any(String) } },
      abortMidStream: { status: 200, error: { name: 'AbortError' } },
      abortBeforeAnswer: { name: 'AbortError' },
      timeouts: { headersTimeout: { code: 'UND_ERR_HEADERS_TIMEOUT' }, bodyTimeout: { error: { code: 'UND_ERR_BODY_TIMEOUT' } } },
      refused: { code: 'ECONNREFUSED' },
      ownAgent: { status: 200 },
      backpressure: { heldBack: true, finished: true, readAll: true },
    });
    // And costctl saw them: every call that reached a provider, the refused one too.
    expect(sum(withCostctl.samples, 'costctl_requests_total')).toBeGreaterThanOrEqual(12);
    expect(sum(withCostctl.samples, 'costctl_requests_total', { costctl_outcome: 'ok' })).toBeGreaterThanOrEqual(6);
  });
});
