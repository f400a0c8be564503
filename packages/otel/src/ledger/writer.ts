import { closeSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
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
}

/** How many lines between two size checks: an fstat per line would cost more than the line. */
const SIZE_CHECK_EVERY = 256;

/**
 * Appends every finished call to the ledger: JSON Lines, one file per local
 * day (`ledger-2026-11-23.jsonl`, then `…-23.1.jsonl` past the size limit),
 * shared by every process of the host. Each line is one `write` on an
 * O_APPEND descriptor, done when the call ends: a kill loses no line that
 * was written. A SIGKILL can cut a write at a page boundary and the next
 * process's line then follows the cut piece on the same line; the reader
 * (`ledgerEntriesOf`) skips the piece and keeps the whole line after it.
 *
 * @example
 * const ledger = new LedgerWriter('.costctl', { timeZone: 'UTC' });
 */
export class LedgerWriter implements CallSink {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #timeZone: string;
  #fd: number | undefined;
  #day = '';
  #part = 0;
  #linesSinceCheck = 0;
  #failed = false;

  constructor(dir: string, options: LedgerOptions) {
    this.#dir = dir;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#timeZone = options.timeZone;
  }

  record(result: CallResult): void {
    const now = Date.now();
    const line = ledgerLine(result, now);
    try {
      writeSync(this.#descriptor(now), line);
      this.#failed = false;
    } catch (error) {
      // The call is still in the metrics; say once that the ledger is behind, not once per call.
      if (!this.#failed) logger.error('costctl could not write the ledger', { dir: this.#dir, error: String(error) });
      this.#failed = true;
      this.#close();
    }
  }

  close(): void {
    this.#close();
  }

  #descriptor(now: number): number {
    // calendarWindow caches the current day, so this is a comparison on the common path.
    const day = calendarWindow('day', now, this.#timeZone).key.slice('day:'.length);
    if (day !== this.#day) {
      this.#close();
      this.#day = day;
      this.#part = 0;
    }
    if (this.#fd !== undefined && ++this.#linesSinceCheck >= SIZE_CHECK_EVERY) {
      this.#linesSinceCheck = 0;
      if (fstatSync(this.#fd).size >= this.#maxBytes) {
        this.#close();
        this.#part += 1;
      }
    }
    if (this.#fd === undefined) {
      // Made here, not at start-up: a directory that cannot be made costs the ledger, never the app.
      mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
      this.#fd = openSync(join(this.#dir, ledgerFileName(day, this.#part)), 'a', 0o600);
    }
    return this.#fd;
  }

  #close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
