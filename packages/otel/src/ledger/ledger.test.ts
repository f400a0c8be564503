import { createHook } from 'node:async_hooks';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallResult } from '../model/call-result.js';
import { logger as appLogger, setLogger } from '../model/logger.js';
import { ledgerLine } from './entry.js';
import { ledgerFiles } from './files.js';
import { readLedger, type SkippedLine } from './reader.js';
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

afterEach(() => {
  vi.useRealTimers();
  setLogger(appLogger);
});

/** Every line in the ledger files of `path`, as written so far. */
function written(path: string): string[] {
  if (!existsSync(path)) return [];
  return readdirSync(path)
    .sort()
    .flatMap((name) => readFileSync(join(path, name), 'utf8').split('\n').filter(Boolean));
}

/** Log lines costctl wrote while the test ran. */
function captureLog(): { level: string; message: string; fields: Record<string, unknown> | undefined }[] {
  const lines: { level: string; message: string; fields: Record<string, unknown> | undefined }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  setLogger({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') });
  return lines;
}

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
    await writer.close();
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
    await writer.close();
    expect(readdirSync(path).sort()).toEqual(['ledger-2026-11-23.jsonl', 'ledger-2026-11-24.jsonl']);
  });

  it('continues a day in a new part past the size limit', async () => {
    const path = dir();
    const writer = new LedgerWriter(path, { timeZone: 'UTC', maxBytes: 10_000 });
    // The size is checked before each commit: a commit of 20 lines (~7 KB) at a time.
    for (let i = 0; i < 600; i++) {
      writer.record(result({ responseId: `r${i}` }));
      if (i % 20 === 19) await writer.flush();
    }
    await writer.close();
    const files = ledgerFiles(path).map(({ name }) => statSync(join(path, name)).size);
    expect(files.length).toBeGreaterThan(1);
    const commit = 20 * Buffer.byteLength(ledgerLine(result({ responseId: 'r599' }), Date.now()));
    // A part is continued once it reaches the limit, so it passes it by less than one commit.
    for (const size of files.slice(0, -1)) {
      expect(size).toBeGreaterThanOrEqual(10_000);
      expect(size).toBeLessThan(10_000 + commit);
    }
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

describe('the ledger written off the call path', () => {
  it('buffers a line in record() and writes it one commit interval later, not before', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 10) });
    const path = dir();
    const writer = new LedgerWriter(path, { timeZone: 'UTC' });
    writer.record(result({ responseId: 'a' }));
    writer.record(result({ responseId: 'b' }));
    expect(written(path)).toEqual([]);
    vi.advanceTimersByTime(9);
    await writer.settled();
    expect(written(path)).toEqual([]);
    vi.advanceTimersByTime(1);
    await writer.settled();
    expect(written(path).map((line) => JSON.parse(line).response_id)).toEqual(['a', 'b']);
  });

  it('writes the lines of a commit interval in one write', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 10) });
    const path = dir();
    const writer = new LedgerWriter(path, { timeZone: 'UTC' });
    writer.record(result({ responseId: 'first' }));
    await writer.flush();
    // Each asynchronous fs call (fs.write) makes one FSREQCALLBACK; opening and sizing the file are synchronous.
    const writes: string[] = [];
    const hook = createHook({ init: (_id, type) => void (type === 'FSREQCALLBACK' && writes.push(type)) }).enable();
    try {
      for (let i = 0; i < 100; i++) writer.record(result({ responseId: `r${i}` }));
      vi.advanceTimersByTime(10);
      await writer.settled();
    } finally {
      hook.disable();
    }
    expect(writes).toHaveLength(1);
    expect(written(path)).toHaveLength(101);
  });

  it('starts a commit at once, without waiting the interval, past 64 KiB of lines', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 10) });
    const path = dir();
    const writer = new LedgerWriter(path, { timeZone: 'UTC' });
    const lines = Math.ceil((64 * 1024) / ledgerLine(result(), Date.now()).length);
    for (let i = 0; i < lines - 1; i++) writer.record(result());
    vi.advanceTimersByTime(0);
    await writer.settled();
    expect(written(path)).toEqual([]);
    writer.record(result());
    vi.advanceTimersByTime(0);
    await writer.settled();
    expect(written(path)).toHaveLength(lines);
  });

  it("writes the lines buffered across local midnight to each day's file", async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 22, 59, 59, 996) }); // 23:59:59.996 in Paris
    const path = dir();
    const writer = new LedgerWriter(path, { timeZone: 'Europe/Paris' });
    writer.record(result({ responseId: 'before' }));
    vi.setSystemTime(Date.UTC(2026, 10, 23, 23, 0, 0, 1));
    writer.record(result({ responseId: 'after' }));
    vi.advanceTimersByTime(10);
    await writer.flush();
    expect(readdirSync(path).sort()).toEqual(['ledger-2026-11-23.jsonl', 'ledger-2026-11-24.jsonl']);
    expect(JSON.parse(readFileSync(join(path, 'ledger-2026-11-24.jsonl'), 'utf8')).response_id).toBe('after');
  });

  it("writes a line to its own day's file when the clock is set back over local midnight, and forward again", async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 23, 0, 0, 5) }); // 00:00:00.005 on the 24th in Paris
    const path = dir();
    const writer = new LedgerWriter(path, { timeZone: 'Europe/Paris' });
    writer.record(result({ responseId: 'first' }));
    vi.setSystemTime(Date.UTC(2026, 10, 23, 22, 59, 59, 999));
    writer.record(result({ responseId: 'set back' }));
    vi.setSystemTime(Date.UTC(2026, 10, 23, 23, 0, 0, 10));
    writer.record(result({ responseId: 'forward' }));
    await writer.close();
    const ids = (file: string) =>
      readFileSync(join(path, file), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).response_id);
    expect(ids('ledger-2026-11-23.jsonl')).toEqual(['set back']);
    expect(ids('ledger-2026-11-24.jsonl')).toEqual(['first', 'forward']);
  });

  it('writes what is buffered at close, and synchronously with flushSync', async () => {
    const path = dir();
    const writer = new LedgerWriter(path, { timeZone: 'UTC', commitMillis: 60_000 });
    writer.record(result({ responseId: 'buffered' }));
    writer.flushSync();
    expect(written(path)).toHaveLength(1);
    writer.record(result({ responseId: 'closed' }));
    await writer.close();
    expect(written(path).map((line) => JSON.parse(line).response_id)).toEqual(['buffered', 'closed']);
  });

  it('writes a call that ends after close at once: no commit or exit hook is left to write it', async () => {
    const path = dir();
    const writer = new LedgerWriter(path, { timeZone: 'UTC', commitMillis: 60_000 });
    await writer.close();
    writer.record(result({ responseId: 'late' }));
    expect(written(path).map((line) => JSON.parse(line).response_id)).toEqual(['late']);
  });

  it('writes a line once when flushSync runs while a commit is in flight', async () => {
    const path = dir();
    const writer = new LedgerWriter(path, { timeZone: 'UTC', commitMillis: 60_000 });
    writer.record(result({ responseId: 'in-flight' }));
    const flushing = writer.flush();
    writer.record(result({ responseId: 'buffered' }));
    writer.flushSync();
    await flushing;
    await writer.close();
    expect(
      written(path)
        .map((line) => JSON.parse(line).response_id)
        .sort(),
    ).toEqual(['buffered', 'in-flight']);
  });

  it('says once that it cannot write, never throws into the call, keeps the lines and writes them when it can again', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 10) });
    const log = captureLog();
    const parent = dir();
    // A path below a regular file can never be a directory, whoever runs the test.
    writeFileSync(join(parent, 'blocker'), '');
    const path = join(parent, 'blocker', 'state');
    const writer = new LedgerWriter(path, { timeZone: 'UTC' });
    for (let round = 0; round < 3; round++) {
      expect(() => writer.record(result({ responseId: `r${round}` }))).not.toThrow();
      vi.advanceTimersByTime(1_000);
      await writer.settled();
    }
    expect(log.filter((line) => line.level === 'error')).toEqual([
      { level: 'error', message: 'costctl could not write the ledger', fields: { dir: path, error: expect.stringMatching(/ENOTDIR/) } },
    ]);
    rmSync(join(parent, 'blocker'));
    vi.advanceTimersByTime(1_000);
    await writer.settled();
    expect(written(path).map((line) => JSON.parse(line).response_id)).toEqual(['r0', 'r1', 'r2']);
    expect(log.filter((line) => line.level === 'info').map((line) => line.message)).toEqual(['costctl writes the ledger again']);
    await writer.close();
    expect(log.filter((line) => line.level === 'error')).toHaveLength(1);
  });

  it('keeps a bounded buffer while it cannot write, and says at close how many lines were lost', async () => {
    const log = captureLog();
    const parent = dir();
    writeFileSync(join(parent, 'blocker'), '');
    const path = join(parent, 'blocker', 'state');
    const line = ledgerLine(result(), Date.now()).length;
    const writer = new LedgerWriter(path, { timeZone: 'UTC', maxBufferedChars: 5 * line + 10 });
    for (let i = 0; i < 8; i++) writer.record(result());
    expect(writer.lost).toBe(3);
    await writer.close();
    expect(log.filter((entry) => entry.level === 'error').map((entry) => [entry.message, entry.fields?.lost])).toEqual([
      ['costctl could not write the ledger', undefined],
      [expect.stringMatching(/^costctl lost 8 ledger line\(s\) it could not write; those calls are in the metrics and the budgets/), 8],
    ]);
    expect(writer.lost).toBe(0);
  });
});

describe('reading a ledger a killed process left', () => {
  it('says which file ends in a partial line, and which line a cut piece begins, and skips only those pieces', async () => {
    const path = dir();
    const line = (time: string, provider: string) => JSON.stringify({ time, provider });
    const cut = line('2026-11-20T10:00:00.000Z', 'cut').slice(0, 30);
    writeFileSync(
      join(path, 'ledger-2026-11-20.jsonl'),
      `${line('2026-11-20T09:00:00.000Z', 'a')}\n${cut}${line('2026-11-20T11:00:00.000Z', 'b')}\nnot json\n`,
    );
    writeFileSync(join(path, 'ledger-2026-11-21.jsonl'), `${line('2026-11-21T09:00:00.000Z', 'c')}\n${cut}`);
    writeFileSync(join(path, 'ledger-2026-11-22.jsonl'), `${line('2026-11-22T09:00:00.000Z', 'no newline at the end, yet whole')}`);
    const skipped: SkippedLine[] = [];
    expect((await all(path, { onSkipped: (piece: SkippedLine) => skipped.push(piece) })).map((entry) => entry.provider)).toEqual([
      'a',
      'b',
      'c',
      'no newline at the end, yet whole',
    ]);
    expect(skipped).toEqual([
      {
        file: 'ledger-2026-11-20.jsonl',
        line: 2,
        kind: 'cut',
        message:
          'ledger-2026-11-20.jsonl line 2 begins with a piece of a line a killed process cut short; the piece was skipped, the whole entries after it were kept',
      },
      { file: 'ledger-2026-11-20.jsonl', line: 3, kind: 'invalid', message: 'ledger-2026-11-20.jsonl line 3 is not a ledger entry; it was skipped' },
      {
        file: 'ledger-2026-11-21.jsonl',
        line: 2,
        kind: 'partial',
        message: 'ledger-2026-11-21.jsonl ends in a partial line (a process was killed mid-write, or is writing it now); it was skipped',
      },
    ]);
  });
});
