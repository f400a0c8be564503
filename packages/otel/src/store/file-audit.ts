import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { CostctlStoreError } from '../model/errors.js';
import type { AuditEntry } from './types.js';

/*
 * The gate's audit log, `audit.jsonl`: one AuditEntry per line. The state
 * database records how many bytes of it are committed (`gate.audit_bytes`),
 * in the same transaction as the gate change. A writer killed between its
 * append and its commit leaves a line past that length: readers ignore it,
 * and the next writer cuts it off before appending. So the log always lists
 * exactly the committed changes, in the order the gate took them.
 */

/**
 * Appends one entry as one `write` of a whole line, after dropping any
 * uncommitted tail, and flushes it to disk (gate changes are rare and must
 * outlive a power loss). Returns the log's committed length once the caller
 * commits. Call it inside the write transaction that changes the gate.
 *
 * @example
 * const bytes = appendAuditLine('/srv/.costctl/audit.jsonl', committedBytes, entry);
 */
export function appendAuditLine(path: string, committedBytes: number, entry: AuditEntry): number {
  const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
  const fd = openSync(path, 'a', 0o600);
  try {
    const size = fstatSync(fd).size;
    if (size > committedBytes) ftruncateSync(fd, committedBytes);
    // Shorter than committed: someone rotated or truncated the log; append after what is there.
    const start = Math.min(size, committedBytes);
    const written = writeSync(fd, line);
    if (written !== line.length) throw new CostctlStoreError(`short write to ${path} (${written} of ${line.length} bytes): is the disk full?`, path);
    fsyncSync(fd);
    return start + line.length;
  } finally {
    closeSync(fd);
  }
}

/**
 * Drops whatever follows the committed length (a line whose transaction
 * never committed). Call it while holding the write lock.
 *
 * @example
 * trimAuditLog('/srv/.costctl/audit.jsonl', committedBytes);
 */
export function trimAuditLog(path: string, committedBytes: number): void {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  try {
    if (fstatSync(fd).size > committedBytes) ftruncateSync(fd, committedBytes);
  } finally {
    closeSync(fd);
  }
}

/**
 * The entries of the log's first `committedBytes` bytes (all of it when
 * undefined, e.g. while the database is unreadable). A final line without
 * its newline, or a line that is not an entry, is skipped.
 *
 * @example
 * readAuditLog('/srv/.costctl/audit.jsonl', 4_096); // [{ action: 'trip', … }]
 */
export function readAuditLog(path: string, committedBytes: number | undefined): AuditEntry[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const end = committedBytes === undefined ? bytes.length : Math.min(committedBytes, bytes.length);
  const lines = bytes.subarray(0, end).toString('utf8').split('\n');
  lines.pop(); // '' after the last newline, or a partial line
  const entries: AuditEntry[] = [];
  for (const line of lines) {
    const entry = parseEntry(line);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}

function parseEntry(line: string): AuditEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || !('action' in value)) return undefined;
  return value.action === 'trip' || value.action === 'reset' ? (value as AuditEntry) : undefined;
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
