import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallResult } from '../model/call-result.js';
import { readLedger } from './reader.js';
import { LedgerWriter } from './writer.js';

const result = (patch: Partial<CallResult> = {}): CallResult => ({
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  responseId: 'chatcmpl-1',
  outcome: 'ok',
  errorType: undefined,
  durationSeconds: 0.4567,
  labels: { tenant: 'acme' },
  billable: true,
  usage: { input: 10, output: 5, cacheRead: 2, cacheWrite: 0, reasoning: 1 },
  model: 'gpt-4o-mini',
  cost: { usd: 0.0000045, source: 'price_table', pricedModel: 'gpt-4o-mini' },
  unpricedReason: undefined,
  ...patch,
});

const dir = () => mkdtempSync(join(tmpdir(), 'costctl-ledger-'));

afterEach(() => vi.useRealTimers());

async function all(path: string, query = {}) {
  const entries = [];
  for await (const entry of readLedger(path, query)) entries.push(entry);
  return entries;
}

describe('the ledger', () => {
  it('writes one JSON line per call with what accounting needs and nothing else', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 10) });
    const path = dir();
    const writer = new LedgerWriter(path, { timeZone: 'UTC' });
    writer.record(result());
    writer.record(result({ outcome: 'error', cost: undefined, unpricedReason: 'unknown_model', requestModel: 'acme-7b' }));
    writer.close();
    expect(readdirSync(path)).toEqual(['ledger-2026-11-23.jsonl']);
    expect(await all(path)).toEqual([
      {
        time: '2026-11-23T10:00:00.000Z',
        provider: 'openai',
        operation: 'chat',
        model: 'gpt-4o-mini',
        response_model: 'gpt-4o-mini-2024-07-18',
        response_id: 'chatcmpl-1',
        outcome: 'ok',
        tokens: { input: 10, output: 5, cache_read: 2, cache_write: 0, reasoning: 1 },
        cost_usd: 0.0000045,
        cost_source: 'price_table',
        unpriced_reason: null,
        duration_s: 0.457,
        labels: { tenant: 'acme' },
        pid: process.pid,
      },
      expect.objectContaining({ outcome: 'error', model: 'acme-7b', cost_usd: null, unpriced_reason: 'unknown_model' }),
    ]);
  });

  it('starts a new file at local midnight of the configured zone', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 22, 59) }); // 23:59 in Paris
    const path = dir();
    const writer = new LedgerWriter(path, { timeZone: 'Europe/Paris' });
    writer.record(result());
    vi.advanceTimersByTime(60_000);
    writer.record(result());
    writer.close();
    expect(readdirSync(path).sort()).toEqual(['ledger-2026-11-23.jsonl', 'ledger-2026-11-24.jsonl']);
  });

  it('continues a day in a new part past the size limit', async () => {
    const path = dir();
    const writer = new LedgerWriter(path, { timeZone: 'UTC', maxBytes: 10_000 });
    for (let i = 0; i < 600; i++) writer.record(result({ responseId: `r${i}` }));
    writer.close();
    const files = readdirSync(path);
    expect(files.length).toBeGreaterThan(1);
    const entries = await all(path);
    expect(entries.map((entry) => entry.response_id)).toEqual(Array.from({ length: 600 }, (_, i) => `r${i}`));
  });

  it('reads by time range and skips a partial last line', async () => {
    const path = dir();
    writeFileSync(
      join(path, 'ledger-2026-11-20.jsonl'),
      [
        JSON.stringify({ time: '2026-11-20T10:00:00.000Z', provider: 'openai' }),
        JSON.stringify({ time: '2026-11-20T12:00:00.000Z', provider: 'anthropic' }),
        '{"time":"2026-11-20T13:00',
      ].join('\n'),
    );
    expect((await all(path)).map((entry) => entry.provider)).toEqual(['openai', 'anthropic']);
    expect((await all(path, { since: new Date('2026-11-20T11:00:00Z') })).map((entry) => entry.provider)).toEqual(['anthropic']);
    expect(await all(path, { until: new Date('2026-11-20T09:00:00Z') })).toEqual([]);
    expect(readFileSync(join(path, 'ledger-2026-11-20.jsonl'), 'utf8')).toContain('13:00');
  });

  // Regression: a write cut by SIGKILL at a page boundary, and another process's whole line right after it, read as one bad line.
  it('skips a line a kill cut short, and keeps the whole lines written after it on the same line', async () => {
    const path = dir();
    const line = (time: string, provider: string) => JSON.stringify({ time, provider, labels: { note: 'a "quoted" {"time":' } });
    const cut = line('2026-11-20T10:00:00.000Z', 'openai').slice(0, 70);
    writeFileSync(
      join(path, 'ledger-2026-11-20.jsonl'),
      `${line('2026-11-20T09:00:00.000Z', 'first')}\n${cut}${line('2026-11-20T11:00:00.000Z', 'after-cut')}\n${cut}${cut}${line('2026-11-20T12:00:00.000Z', 'after-two-cuts')}\n`,
    );
    expect((await all(path)).map((entry) => entry.provider)).toEqual(['first', 'after-cut', 'after-two-cuts']);
  });
});
