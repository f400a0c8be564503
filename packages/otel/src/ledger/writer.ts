import { closeSync, fstatSync, mkdirSync, openSync, write, writeSync } from 'node:fs';
import { join } from 'node:path';
import { logger } from '../model/logger.js';
import type { CallResult, CallSink } from '../model/call-result.js';
import { ledgerLine } from './entry.js';
import { calendarWindow } from '../model/windows.js';
import { ledgerFileName } from './files.js';

export interface LedgerOptions {
  /** A day's file is continued in a new part past this size (default 64 MiB). */
  maxBytes?: number;
  /** The zone whose local date names each day's file. */
  timeZone: string;
  /** Longest a line waits in memory before it is written (default 10 ms): what a SIGKILL can lose. */
  commitMillis?: number;
  /** Characters of lines kept while the ledger cannot be written (default 8 MiB); lines past it are counted as lost. */
  maxBufferedChars?: number;
}

/** A commit starts at once past this much: a 64 KiB write costs per line about what a 4 KiB one does, and memory stays small. */
const COMMIT_CHARS = 64 * 1024;
/** After a failed write, the next try: a broken directory is not retried every commit interval. */
const RETRY_MILLIS = 1_000;

/** Lines of one local day, waiting for their commit. */
interface Batch {
  day: string;
  lines: string[];
  chars: number;
}

/**
 * Appends every finished call to the ledger: JSON Lines, one file per local
 * day (`ledger-2026-11-23.jsonl`, then `…-23.1.jsonl` past the size limit),
 * shared by every process of the host. `record` only buffers the line; a
 * group commit writes the buffered lines in one `write` on an O_APPEND
 * descriptor, off the call's tick, at most `commitMillis` after the first
 * of them (sooner past 64 KiB). One commit is in flight at a time, so lines
 * keep their order (what `flushSync` writes may land before a commit still
 * in flight). On a local file system a write on O_APPEND is never interleaved
 * with another process's, whatever its size; a SIGKILL can cut it at a page boundary, and
 * the next process's lines then follow the cut piece: the reader skips the
 * piece and keeps the whole lines around it. On SIGKILL or power loss the
 * lines of the last commit interval are lost; `flushSync` writes them at
 * `exit` and on SIGTERM/SIGINT (sdk.ts). A write that fails is said once;
 * its lines are kept for the next try, up to `maxBufferedChars`, then
 * counted as lost and said at `close`/`end`.
 *
 * @example
 * const ledger = new LedgerWriter('.costctl', { timeZone: 'UTC' });
 * ledger.record(result); // written within 10 ms
 * await ledger.close();
 */
export class LedgerWriter implements CallSink {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #timeZone: string;
  readonly #commitMillis: number;
  readonly #maxBuffered: number;
  #pending: Batch[] = [];
  #buffered = 0;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #writing: Promise<void> | undefined;
  #retryAt = 0;
  #fd: number | undefined;
  #day = '';
  #part = 0;
  #failed = false;
  #lost = 0;
  #closed = false;
  #dayName = '';
  #dayFrom = Number.POSITIVE_INFINITY;
  #dayUntil = Number.NEGATIVE_INFINITY;

  constructor(dir: string, options: LedgerOptions) {
    this.#dir = dir;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#timeZone = options.timeZone;
    this.#commitMillis = options.commitMillis ?? 10;
    this.#maxBuffered = options.maxBufferedChars ?? 8 * 1024 * 1024;
  }

  /** Lines the ledger could not keep (the buffer was full while writes failed), since the last `close`/`end`. */
  get lost(): number {
    return this.#lost;
  }

  record(result: CallResult): void {
    const now = Date.now();
    const line = ledgerLine(result, now);
    if (this.#buffered + line.length > this.#maxBuffered) {
      this.#lost += 1;
      return;
    }
    const day = now >= this.#dayFrom && now < this.#dayUntil ? this.#dayName : this.#dayOf(now);
    let batch = this.#pending[this.#pending.length - 1];
    if (batch === undefined || batch.day !== day) this.#pending.push((batch = { day, lines: [], chars: 0 }));
    batch.lines.push(line);
    batch.chars += line.length;
    this.#buffered += line.length;
    // A call that ends after close (a stream still in flight at shutdown) has no commit or exit hook left to write it.
    if (this.#closed) this.end();
    else if (this.#writing === undefined) this.#schedule(now);
  }

  /** Writes every buffered line (after the commit in flight); resolves once they are written or the write failed. */
  async flush(): Promise<void> {
    await this.#writing;
    while (this.#pending.length > 0) {
      this.#commit();
      await this.#writing;
      if (this.#failed) return;
    }
  }

  /**
   * Writes every buffered line now, synchronously: for the process's last
   * moments (`exit`, a signal), when no callback would run. A commit in
   * flight is left to finish on its own descriptor.
   */
  flushSync(): void {
    this.#cancelTimers();
    while (this.#pending.length > 0) {
      const batch = this.#pending.shift()!;
      this.#buffered -= batch.chars;
      const data = Buffer.from(batch.lines.join(''));
      let written = 0;
      try {
        const { fd } = this.#openPart(batch.day, batch.day === this.#day ? this.#part : 0);
        try {
          while (written < data.length) written += writeSync(fd, data, written);
        } finally {
          closeSync(fd);
        }
        this.#failed = false;
      } catch (error) {
        this.#failedWith(error, batch, written);
        return;
      }
    }
  }

  /** Resolves once the commit in flight, if any, is written or failed: a signal's default action would cut it short. */
  async settled(): Promise<void> {
    await this.#writing;
  }

  /** The process ends now: writes what is buffered, synchronously, and says how many lines are lost. */
  end(): void {
    this.flushSync();
    this.#sayLost();
  }

  /** Writes every buffered line, closes the file and says how many lines were lost, if any; a line recorded later is written at once. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    this.#cancelTimers();
    this.#close();
    this.#sayLost();
  }

  /** The local date naming the file of a line recorded at `now`; kept with its bounds, so the next calls of the day compare two numbers. */
  #dayOf(now: number): string {
    const day = calendarWindow('day', now, this.#timeZone);
    this.#dayName = day.key.slice('day:'.length);
    this.#dayFrom = day.start;
    this.#dayUntil = day.end;
    return this.#dayName;
  }

  #schedule(now = Date.now()): void {
    if (this.#buffered >= COMMIT_CHARS && now >= this.#retryAt) {
      this.#immediate ??= setImmediate(() => {
        this.#immediate = undefined;
        this.#commit();
      });
      return;
    }
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#commit();
      },
      Math.max(this.#commitMillis, this.#retryAt - now),
    );
    // The app's exit is not held for the ledger: `exit` writes what is left.
    this.#timer.unref();
  }

  #cancelTimers(): void {
    clearTimeout(this.#timer);
    clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }

  /** Starts writing the oldest day's buffered lines, unless a commit is in flight. */
  #commit(): void {
    if (this.#writing !== undefined) return;
    const batch = this.#pending.shift();
    if (batch === undefined) return;
    this.#buffered -= batch.chars;
    this.#writing = this.#write(batch).finally(() => {
      this.#writing = undefined;
      if (this.#pending.length > 0) this.#schedule();
    });
  }

  async #write(batch: Batch): Promise<void> {
    const data = Buffer.from(batch.lines.join(''));
    let written = 0;
    try {
      const fd = this.#descriptor(batch.day);
      while (written < data.length) written += await writeAt(fd, data, written);
      if (this.#failed) logger.info('costctl writes the ledger again', { dir: this.#dir });
      this.#failed = false;
    } catch (error) {
      this.#close();
      this.#failedWith(error, batch, written);
    }
  }

  /** Says a failed write once, and keeps the lines not yet written for the next try, as far as the buffer allows. */
  #failedWith(error: unknown, batch: Batch, written: number): void {
    // The call is still in the metrics and the budgets; say once that the ledger is behind, not once per commit.
    if (!this.#failed) logger.error('costctl could not write the ledger', { dir: this.#dir, error: String(error) });
    this.#failed = true;
    this.#retryAt = Date.now() + RETRY_MILLIS;
    let start = 0;
    let line = 0;
    // A line the write ended in the middle of stays cut: the reader skips it, and it is counted as lost.
    while (line < batch.lines.length && start < written) start += Buffer.byteLength(batch.lines[line++]!);
    if (start > written) this.#lost += 1;
    const kept = batch.lines.slice(line);
    const chars = kept.reduce((sum, text) => sum + text.length, 0);
    if (kept.length === 0) return;
    if (this.#buffered + chars > this.#maxBuffered) {
      this.#lost += kept.length;
      return;
    }
    this.#pending.unshift({ day: batch.day, lines: kept, chars });
    this.#buffered += chars;
    this.#schedule();
  }

  #sayLost(): void {
    const unwritten = this.#pending.reduce((sum, batch) => sum + batch.lines.length, 0);
    const lost = this.#lost + unwritten;
    if (lost === 0) return;
    logger.error(`costctl lost ${lost} ledger line(s) it could not write; those calls are in the metrics and the budgets but missing from the ledger`, {
      dir: this.#dir,
      lost,
    });
    this.#lost = 0;
    this.#pending = [];
    this.#buffered = 0;
  }

  #descriptor(day: string): number {
    if (day !== this.#day) {
      this.#close();
      this.#day = day;
      this.#part = 0;
    }
    if (this.#fd !== undefined && fstatSync(this.#fd).size >= this.#maxBytes) {
      this.#close();
      this.#part += 1;
    }
    if (this.#fd === undefined) ({ fd: this.#fd, part: this.#part } = this.#openPart(day, this.#part));
    return this.#fd;
  }

  /** The first part of `day`'s file from `part` on that is under the size limit, opened for appending. */
  #openPart(day: string, part: number): { fd: number; part: number } {
    // Made here, not at start-up: a directory that cannot be made costs the ledger, never the app.
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    for (;;) {
      const fd = openSync(join(this.#dir, ledgerFileName(day, part)), 'a', 0o600);
      if (fstatSync(fd).size < this.#maxBytes) return { fd, part };
      closeSync(fd);
      part += 1;
    }
  }

  #close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** One `write` of `data` from `offset` on, off the event loop; resolves with the bytes written. */
function writeAt(fd: number, data: Buffer, offset: number): Promise<number> {
  return new Promise((resolve, reject) => write(fd, data, offset, data.length - offset, null, (error, written) => (error ? reject(error) : resolve(written))));
}
