import { accessSync, constants, statfsSync } from 'node:fs';
import { CostctlStoreError } from '../model/errors.js';

/**
 * Why a file in the state directory could not be written or read, and what
 * to do about it, in words an operator acts on: the directory is read-only,
 * its disk is full, or the file itself is unusable. SQLite reports a full
 * disk as "disk I/O error" and a read-only one as "unable to open database
 * file", so the directory is examined rather than the message trusted.
 *
 * @example
 * throw storeFailure('the gate was NOT tripped', '/srv/.costctl', error);
 * // the gate was NOT tripped: the disk holding /srv/.costctl is full (disk I/O error); free space there, then retry
 */
export function storeFailure(what: string, dir: string, error: unknown, file?: string): CostctlStoreError {
  return new CostctlStoreError(`${what}: ${explainFailure(dir, error, file)}`, dir, { cause: error });
}

/** The "why; what to do" half of a state-directory failure. */
export function explainFailure(dir: string, error: unknown, file?: string): string {
  const cause = message(error);
  if (code(error) === 'ENOSPC' || sqliteCode(error) === SQLITE_FULL || diskFull(dir))
    return `the disk holding ${dir} is full (${cause}); free space there, then retry`;
  if (code(error) === 'EROFS' || readOnly(dir)) {
    return `the state directory ${dir} is read-only (${cause}); make it writable, or point COSTCTL_STATE_DIR at a writable directory, then retry`;
  }
  if (isBusy(error)) return `another process held the write lock on ${file ?? dir} too long (${cause}); retry`;
  return `${file ?? dir} cannot be used (${cause}); fix or move it${file?.endsWith('.sqlite') ? ' (with its -wal and -shm files)' : ''}, then retry`;
}

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_FULL = 13;

/** SQLite's "database is locked": another connection held the write lock past the busy timeout. */
export function isBusy(error: unknown): boolean {
  const primary = sqliteCode(error);
  return primary === SQLITE_BUSY || primary === SQLITE_LOCKED;
}

/** The primary result code of a SQLite error, without its extended bits. */
function sqliteCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('errcode' in error) || typeof error.errcode !== 'number') return undefined;
  return error.errcode & 0xff;
}

function diskFull(dir: string): boolean {
  try {
    const { bavail } = statfsSync(dir);
    return bavail === 0;
  } catch {
    return false;
  }
}

/** `access(W_OK)` answers EROFS on a read-only mount even for root, who ignores permission bits. */
function readOnly(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return false;
  } catch (error) {
    return code(error) !== 'ENOENT';
  }
}

function code(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
