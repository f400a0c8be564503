import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CostctlArgumentError } from '../model/errors.js';
import { calendarWindow } from '../model/windows.js';
import type { LedgerEntry } from './entry.js';
import { ledgerFileName, ledgerFiles } from './files.js';

/** What an adjustment line of the ledger says besides its amount. */
export interface LedgerAdjustment {
  /** The UTC day corrected, YYYY-MM-DD: the providers' bills are kept by UTC day. */
  day: string;
  reason: string;
  /** Who approved it: an operator, e.g. `alice@build-1`. */
  actor: string;
  /** Where the amount comes from, e.g. `reconcile:openai`. */
  source: string;
  /** What the provider billed, and what the ledger held, for that day and model (USD). */
  billed_usd: number;
  local_usd: number;
  /** When the adjustment was made (the entry's `time` is in the day it corrects). */
  recorded_at: string;
}

/** A correction to append: the difference between the bill and the ledger for one day, provider and model. */
export interface AdjustmentInput {
  provider: string;
  /** The model as billed; null for charges the provider bills per organization, not per model (tools, storage). */
  model: string | null;
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  /** Billed minus local, USD: negative when costctl counted more than was billed. */
  amountUsd: number;
  reason: string;
  actor: string;
  source: string;
  billedUsd: number;
  localUsd: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The ledger line of an adjustment. Its `time` is noon UTC of the day it
 * corrects, so reports, forecasts and budget windows count it on that day
 * (noon falls on the same date in every zone from UTC−12 to UTC+11).
 *
 * @example
 * adjustmentEntry({ provider: 'openai', model: 'gpt-4o-mini', day: '2026-11-20', amountUsd: 0.42, reason: 'November invoice',
 *   actor: 'alice', source: 'reconcile:openai', billedUsd: 3.42, localUsd: 3 }, Date.now()).time // '2026-11-20T12:00:00.000Z'
 */
export function adjustmentEntry(input: AdjustmentInput, now: number): LedgerEntry {
  if (!DAY.test(input.day) || Number.isNaN(Date.parse(input.day)))
    throw new CostctlArgumentError(`costctl: an adjustment's day is a UTC date such as 2026-11-20, got "${input.day}"`);
  if (!Number.isFinite(input.amountUsd)) throw new CostctlArgumentError(`costctl: an adjustment's amount is a number of USD, got ${input.amountUsd}`);
  if (!input.reason.trim()) throw new CostctlArgumentError('costctl: an adjustment needs a reason: it is the audit record of why the ledger changed');
  return {
    time: `${input.day}T12:00:00.000Z`,
    kind: 'adjustment',
    provider: input.provider,
    operation: 'adjustment',
    model: input.model,
    response_model: null,
    response_id: null,
    outcome: 'ok',
    tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 },
    cost_usd: input.amountUsd,
    cost_source: 'adjustment',
    unpriced_reason: null,
    duration_s: 0,
    labels: {},
    pid: process.pid,
    adjustment: {
      day: input.day,
      reason: input.reason,
      actor: input.actor,
      source: input.source,
      billed_usd: input.billedUsd,
      local_usd: input.localUsd,
      recorded_at: new Date(now).toISOString(),
    },
  };
}

/** A ledger file opened for one entry: open first, so a directory that cannot be written is known before anything changes. */
export interface LedgerAppend {
  readonly path: string;
  /** Writes the entry as one line; throws when it was not written whole. */
  append(): void;
  close(): void;
}

/**
 * Opens the ledger file of the local day the entry's `time` falls on (the
 * last part of that day) on an O_APPEND descriptor like the writer's, so the
 * line lands beside the calls of that day and is read with them.
 *
 * @example
 * const file = openLedgerAppend('.costctl', adjustmentEntry(input, Date.now()), 'UTC'); // .costctl/ledger-2026-11-20.jsonl
 * try { file.append(); } finally { file.close(); }
 */
export function openLedgerAppend(dir: string, entry: LedgerEntry, timeZone: string): LedgerAppend {
  const day = calendarWindow('day', Date.parse(entry.time), timeZone).key.slice('day:'.length);
  const parts = ledgerFiles(dir).filter((file) => file.day === day);
  const name = parts.at(-1)?.name ?? ledgerFileName(day, 0);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  const fd = openSync(path, 'a', 0o600);
  return {
    path,
    append() {
      const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
      const before = fstatSync(fd).size;
      const written = writeSync(fd, line);
      if (written === line.length) return;
      // A cut line would glue itself to the next writer's: take it back while it is still the file's end.
      if (fstatSync(fd).size === before + written) ftruncateSync(fd, before);
      throw Object.assign(new Error(`short write to ${path} (${written} of ${line.length} bytes)`), { code: 'ENOSPC' });
    },
    close() {
      closeSync(fd);
    },
  };
}

/**
 * Appends one entry to the ledger file of the local day its `time` falls on,
 * as one `write`; returns the file's path.
 *
 * @example
 * appendLedgerEntry('.costctl', adjustmentEntry(input, Date.now()), 'UTC') // '.costctl/ledger-2026-11-20.jsonl'
 */
export function appendLedgerEntry(dir: string, entry: LedgerEntry, timeZone: string): string {
  const file = openLedgerAppend(dir, entry, timeZone);
  try {
    file.append();
  } finally {
    file.close();
  }
  return file.path;
}
