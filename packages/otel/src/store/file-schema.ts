import type { DatabaseSync } from 'node:sqlite';
import { CostctlStoreError } from '../model/errors.js';
import { trimAuditLog } from './file-audit.js';
import { loadSqlite } from './file-sqlite.js';

/** The layout `state.sqlite` is written in; a newer one is refused rather than misread. */
export const SCHEMA_VERSION = 1;

/** How long a transaction waits for another process's write lock before it gives up. */
export const BUSY_TIMEOUT_MS = 5_000;
/** How long opening waits for a lock synchronously: a moment of contention, not a start-up held up for seconds. */
export const OPEN_BUSY_TIMEOUT_MS = 100;

/*
 * counters:      one row per window key (or rolling bucket); `reserved` is
 *                what live reservations hold in it.
 * reservations:  one row per call in flight. Keyed by its lease end first,
 *                so letting expired ones go is one range of one B-tree, and
 *                the id carries that lease end (see file-state.ts): a
 *                reserve writes two pages, not four.
 *                `entries` is JSON [[counter, amount], …] in entry order.
 * announced:     what costctl last announced per key (a rule's level, the
 *                gate), so a change is announced once per host, not per process.
 * gate:          the one gate row; `audit_bytes` is the committed length of
 *                audit.jsonl (see file-audit.ts).
 * aggregates:    what settled calls used, per window × scope dimension key
 *                (types.ts AggregateSpend), kept until `expires_at`.
 * seen:          every rule definition already seeded from the aggregates.
 *                Both tables are additive: an older costctl ignores them.
 * Instants are ms since epoch as REAL: a `total` window never expires (Infinity).
 */
const schema = `
CREATE TABLE IF NOT EXISTS counters (
  key        TEXT PRIMARY KEY,
  spent      REAL NOT NULL,
  reserved   REAL NOT NULL,
  expires_at REAL NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reservations (
  expires_at REAL NOT NULL,
  id         TEXT NOT NULL,
  entries    TEXT NOT NULL,
  PRIMARY KEY (expires_at, id)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS announced (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS gate (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  tripped     INTEGER NOT NULL,
  reason      TEXT,
  actor       TEXT,
  since       REAL,
  audit_bytes INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS aggregates (
  key        TEXT PRIMARY KEY,
  usd        REAL NOT NULL,
  tokens     REAL NOT NULL,
  requests   REAL NOT NULL,
  expires_at REAL NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS seen (
  key TEXT PRIMARY KEY,
  at  REAL NOT NULL
) STRICT, WITHOUT ROWID;
INSERT OR IGNORE INTO gate (id, tripped, reason, actor, since, audit_bytes) VALUES (1, 0, NULL, NULL, NULL, 0);
`;

/**
 * Opens (creating if needed) the state database at `path`: WAL, so readers
 * never wait for the writer and a killed writer never corrupts the file;
 * `synchronous = NORMAL`, durable against any process crash (a commit is in
 * the WAL, in the OS's cache, before COMMIT returns), losing at most the
 * last commits on a power loss — never consistency; a busy timeout so
 * processes queue for the write lock (a short one while opening: a caller
 * retries a busy open off the event loop's back). Also cuts off an audit
 * line whose transaction never committed. Throws when the file is not
 * usable, or is busy (`isBusy`).
 *
 * @example
 * const db = openStateDatabase('/srv/.costctl/state.sqlite', '/srv/.costctl/audit.jsonl');
 */
export function openStateDatabase(path: string, auditPath: string): DatabaseSync {
  const { DatabaseSync } = loadSqlite();
  const db = new DatabaseSync(path);
  try {
    db.exec(`PRAGMA busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`);
    const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
    // WAL needs shared memory between processes; network filesystems cannot give it.
    if (mode !== 'wal') throw new CostctlStoreError(`cannot use WAL journaling (got ${String(mode)}): put the state directory on a local filesystem`, path);
    db.exec('PRAGMA synchronous = NORMAL');
    migrate(db, path, auditPath);
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: DatabaseSync, path: string, auditPath: string): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const version = Number(db.prepare('PRAGMA user_version').get()?.user_version ?? 0);
    if (version > SCHEMA_VERSION) {
      throw new CostctlStoreError(`written by a newer costctl (schema ${version}, this one reads ${SCHEMA_VERSION}): upgrade this process`, path);
    }
    db.exec(schema);
    if (version < SCHEMA_VERSION) db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    const committed = Number(db.prepare('SELECT audit_bytes FROM gate WHERE id = 1').get()?.audit_bytes ?? 0);
    trimAuditLog(auditPath, committed);
    db.exec('COMMIT');
  } catch (error) {
    rollback(db);
    throw error;
  }
}

/**
 * Ends the open transaction, if any, without letting a second error (no
 * transaction open, the file gone) hide the first.
 *
 * @example
 * try { work(); db.exec('COMMIT'); } catch (error) { rollback(db); throw error; }
 */
export function rollback(db: DatabaseSync): void {
  try {
    db.exec('ROLLBACK');
  } catch {
    // Nothing was open, or the connection is already unusable: either way nothing is committed.
  }
}
