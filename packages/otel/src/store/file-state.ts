import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { CostctlStoreError } from '../model/errors.js';
import { appendAuditLine } from './file-audit.js';
import { openStateDatabase, rollback } from './file-schema.js';
import { leastSum } from './seed.js';
import type {
  AggregateRead,
  AggregateSpend,
  AuditEntry,
  CounterEntry,
  CounterSpend,
  GateChange,
  GateState,
  LeaseGrant,
  LeaseRenewal,
  ReserveResult,
  RuleSeed,
  WindowSpend,
} from './types.js';

const sql = {
  begin: 'BEGIN IMMEDIATE',
  commit: 'COMMIT',
  expired: 'SELECT entries FROM reservations WHERE expires_at <= ?',
  deleteExpired: 'DELETE FROM reservations WHERE expires_at <= ?',
  prune: `DELETE FROM counters WHERE expires_at < ?
    AND key NOT IN (SELECT held.value ->> 0 FROM reservations, json_each(reservations.entries) AS held)`,
  sumOne: 'SELECT total(spent) AS spent, total(reserved) AS reserved FROM counters WHERE key = ? AND expires_at > ?',
  sumMany: `SELECT total(spent) AS spent, total(reserved) AS reserved FROM counters
    WHERE key IN (SELECT value FROM json_each(?)) AND expires_at > ?`,
  hold: `INSERT INTO counters (key, spent, reserved, expires_at) VALUES (?, 0, ?, ?)
    ON CONFLICT (key) DO UPDATE SET reserved = reserved + excluded.reserved`,
  insertReservation: 'INSERT INTO reservations (expires_at, id, entries) VALUES (?, ?, ?)',
  takeReservation: 'DELETE FROM reservations WHERE expires_at = ? AND id = ? RETURNING entries',
  unhold: 'UPDATE counters SET reserved = reserved - ? WHERE key = ?',
  spend: `INSERT INTO counters (key, spent, reserved, expires_at) VALUES (?, ?, 0, ?)
    ON CONFLICT (key) DO UPDATE SET spent = spent + excluded.spent`,
  aggregate: `INSERT INTO aggregates (key, usd, tokens, requests, expires_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET usd = usd + excluded.usd, tokens = tokens + excluded.tokens, requests = requests + excluded.requests`,
  readAggregate: 'SELECT usd, tokens, requests FROM aggregates WHERE key = ? AND expires_at > ?',
  // The key range gives the primary key's order; the substr test makes it exact.
  aggregatesFrom: `SELECT key, usd, tokens, requests FROM aggregates
    WHERE key >= ?1 AND key < (?1 || char(1114111)) AND substr(key, 1, length(?1)) = ?1 AND expires_at > ?2`,
  pruneAggregates: 'DELETE FROM aggregates WHERE expires_at < ?',
  markSeen: 'INSERT INTO seen (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING RETURNING key',
  raise: `INSERT INTO counters (key, spent, reserved, expires_at) VALUES (?, ?, 0, ?)
    ON CONFLICT (key) DO UPDATE SET spent = max(spent, excluded.spent)`,
  gate: 'SELECT tripped, reason, actor, since, audit_bytes FROM gate WHERE id = 1',
  setGate: 'UPDATE gate SET tripped = ?, reason = ?, actor = ?, since = ?, audit_bytes = ? WHERE id = 1',
  dataVersion: 'PRAGMA data_version',
  announced: 'SELECT value FROM announced WHERE key = ?',
  announce: `INSERT INTO announced (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
} as const;

type Statements = { readonly [name in keyof typeof sql]: StatementSync };

/** Old windows are forgotten a day after they end, so a late reader still finds yesterday. */
const PRUNE_AFTER_MS = 86_400_000;
const SQLITE_MAGIC = 'SQLite format 3\0';

/**
 * One open connection to `state.sqlite`: every operation of the file store
 * as one SQLite transaction. Methods throw on any SQLite or file error; the
 * FileStore decides what a failure means.
 *
 * @example
 * const state = StateFile.open('/srv/.costctl/state.sqlite', '/srv/.costctl/audit.jsonl');
 * const result = state.reserve(entries, 600_000, Date.now(), false);
 */
export class StateFile {
  readonly path: string;
  readonly auditPath: string;
  readonly #db: DatabaseSync;
  readonly #statements: Statements;
  /** The file this connection opened: a different file at `path` means it was moved or replaced. */
  readonly #dev: number;
  readonly #ino: number;
  /** Rule windows are the same array until they move on, so each is serialised once. */
  readonly #windowJson = new WeakMap<readonly string[], string>();

  private constructor(path: string, auditPath: string, db: DatabaseSync) {
    this.path = path;
    this.auditPath = auditPath;
    this.#db = db;
    const statements: Partial<Record<keyof typeof sql, StatementSync>> = {};
    for (const [name, text] of Object.entries(sql)) statements[name as keyof typeof sql] = db.prepare(text);
    this.#statements = statements as Statements;
    const { dev, ino } = statSync(path);
    this.#dev = dev;
    this.#ino = ino;
  }

  static open(path: string, auditPath: string): StateFile {
    const db = openStateDatabase(path, auditPath);
    try {
      return new StateFile(path, auditPath, db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  reserve(entries: readonly CounterEntry[], leaseMillis: number, now: number, prune: boolean): ReserveResult {
    const s = this.#statements;
    return this.#write(() => {
      this.#expire(now);
      if (prune) {
        s.prune.run(now - PRUNE_AFTER_MS);
        s.pruneAggregates.run(now);
      }
      for (const [index, entry] of entries.entries()) {
        if (entry.limit === undefined) continue;
        const { spent, reserved } = this.read(entry.window, now);
        // Nothing of this call is written; the leases let go above still are.
        if (spent + reserved + entry.amount > entry.limit) return { ok: false, index, spent: spent + reserved };
      }
      const expiresAt = now + leaseMillis;
      // The lease end leads the id, so commit and release find the row by its primary key.
      const id = `${expiresAt}/${randomUUID()}`;
      const held: [string, number][] = [];
      for (const entry of entries) {
        s.hold.run(entry.counter, entry.amount, entry.expiresAt);
        held.push([entry.counter, entry.amount]);
      }
      s.insertReservation.run(expiresAt, id, JSON.stringify(held));
      return { ok: true, id };
    });
  }

  /** Replaces a live reservation by what was spent; an unknown or expired one is already gone. */
  commit(id: string, spend: readonly CounterSpend[], now: number, aggregates: readonly AggregateSpend[] = []): void {
    const s = this.#statements;
    this.#write(() => {
      this.#expire(now);
      this.#take(id);
      for (const { counter, amount, expiresAt } of spend) s.spend.run(counter, amount, expiresAt);
      for (const { windows, dimensions, usd, tokens, requests } of aggregates) {
        for (const { prefix, expiresAt } of windows) {
          for (const dimension of dimensions) s.aggregate.run(prefix + dimension, usd, tokens, requests, expiresAt);
        }
      }
    });
  }

  /** Renews every lease in one write transaction (types.ts `renewLeases`). */
  renewLeases(renewals: readonly LeaseRenewal[], leaseMillis: number, now: number): LeaseGrant[] {
    const s = this.#statements;
    return this.#write(() => {
      this.#expire(now);
      return renewals.map(({ id, spent, entry, keep }) => {
        if (id !== undefined) this.#take(id);
        if (spent !== 0) s.spend.run(entry.counter, spent, entry.expiresAt);
        const window = this.read(entry.window, now);
        const used = window.spent + window.reserved;
        const granted = entry.limit === undefined || used + entry.amount <= entry.limit;
        const hold = granted ? entry.amount : keep;
        if (hold <= 0) return { id: undefined, granted };
        const expiresAt = now + leaseMillis;
        const held = `${expiresAt}/${randomUUID()}`;
        s.hold.run(entry.counter, hold, entry.expiresAt);
        s.insertReservation.run(expiresAt, held, JSON.stringify([[entry.counter, hold]]));
        return { id: held, granted };
      });
    });
  }

  /** Seeds each rule definition not seen yet, in one write transaction: every process sees it seeded once. */
  seed(seeds: readonly RuleSeed[], now: number): void {
    const s = this.#statements;
    this.#write(() => {
      for (const seed of seeds) {
        if (s.markSeen.get(seed.seen, now) === undefined) continue;
        const used = leastSum(seed, (key) => {
          const row = s.readAggregate.get(key, now);
          return row === undefined ? undefined : { usd: Number(row.usd), tokens: Number(row.tokens), requests: Number(row.requests) };
        });
        s.raise.run(seed.counter, used, seed.expiresAt);
      }
    });
  }

  release(id: string): void {
    this.#write(() => this.#take(id));
  }

  /** The aggregates under each prefix still kept at `now`, in key order. */
  readAggregates(prefixes: readonly string[], now: number): AggregateRead[] {
    const found = new Map<string, AggregateRead>();
    for (const prefix of prefixes) {
      for (const row of this.#statements.aggregatesFrom.all(prefix, now)) {
        const key = String(row.key);
        found.set(key, { key, usd: Number(row.usd), tokens: Number(row.tokens), requests: Number(row.requests) });
      }
    }
    return [...found.values()];
  }

  read(window: readonly string[], now: number): WindowSpend {
    const row = window.length === 1 ? this.#statements.sumOne.get(window[0]!, now) : this.#statements.sumMany.get(this.#json(window), now);
    return { spent: Number(row?.spent ?? 0), reserved: Number(row?.reserved ?? 0) };
  }

  gate(): GateState {
    return this.#gateRow().state;
  }

  /**
   * Changes the gate and appends its audit line in one write transaction, so
   * the log's order is the gate's. Flushed to disk (synchronous = FULL):
   * rare, and an operator's trip must outlive a power loss.
   */
  changeGate(change: GateChange, now: number): GateState {
    this.#db.exec('PRAGMA synchronous = FULL');
    try {
      return this.#write(() => {
        const before = this.#gateRow();
        const { action, reason, actor } = change;
        const entry: AuditEntry = {
          time: new Date(now).toISOString(),
          action,
          reason,
          actor,
          host: hostname(),
          pid: process.pid,
          wasTripped: before.state.tripped,
        };
        const auditBytes = appendAuditLine(this.auditPath, before.auditBytes, entry);
        const state: GateState = { tripped: action === 'trip', reason, actor, since: now };
        this.#statements.setGate.run(state.tripped ? 1 : 0, reason, actor, now, auditBytes);
        return state;
      });
    } finally {
      restoreNormalSync(this.#db);
    }
  }

  readAnnounced(key: string): string | undefined {
    const row = this.#statements.announced.get(key);
    return row === undefined ? undefined : String(row.value);
  }

  /** Writes `next` if `key` holds `expected`, in one write transaction: the compare and the write are one step. */
  swapAnnounced(key: string, expected: string | undefined, next: string): boolean {
    return this.#write(() => {
      if (this.readAnnounced(key) !== expected) return false;
      this.#statements.announce.run(key, next);
      return true;
    });
  }

  /** The committed length of audit.jsonl. */
  auditBytes(): number {
    return this.#gateRow().auditBytes;
  }

  /** Changes whenever another connection commits; cheap enough to poll. */
  dataVersion(): number {
    return Number(this.#statements.dataVersion.get()?.data_version);
  }

  /**
   * Throws when the file at `path` is no longer the one this connection
   * reads: removed, replaced, or overwritten with something that is not
   * SQLite (an open connection would go on serving its cache and never notice).
   */
  check(): void {
    const { dev, ino } = statSync(this.path);
    if (dev !== this.#dev || ino !== this.#ino) throw new CostctlStoreError('the file was replaced', this.path);
    const header = Buffer.alloc(SQLITE_MAGIC.length);
    const fd = openSync(this.path, 'r');
    try {
      const read = readSync(fd, header, 0, header.length, 0);
      // Our own open wrote the header (switching to WAL), so a shorter file was truncated under us.
      if (read < header.length || header.toString('latin1') !== SQLITE_MAGIC) throw new CostctlStoreError('file is not a database', this.path);
    } finally {
      closeSync(fd);
    }
  }

  close(): void {
    this.#db.close();
  }

  #write<T>(work: () => T): T {
    this.#statements.begin.run();
    try {
      const result = work();
      this.#statements.commit.run();
      return result;
    } catch (error) {
      rollback(this.#db);
      throw error;
    }
  }

  /** Lets reservations whose lease has run out go, giving back what they held. */
  #expire(now: number): void {
    const s = this.#statements;
    const expired = s.expired.all(now);
    if (expired.length === 0) return;
    for (const row of expired) this.#unhold(String(row.entries));
    s.deleteExpired.run(now);
  }

  #unhold(entries: string): void {
    for (const [counter, amount] of JSON.parse(entries) as [string, number][]) this.#statements.unhold.run(amount, counter);
  }

  /** Lets a reservation go, if it is still held; an unknown or expired id holds nothing. */
  #take(id: string): void {
    const expiresAt = Number(id.slice(0, id.indexOf('/')));
    // An id this store never issued has no lease end: it is unknown, like one already settled.
    if (Number.isNaN(expiresAt)) return;
    const row = this.#statements.takeReservation.get(expiresAt, id);
    if (row !== undefined) this.#unhold(String(row.entries));
  }

  #gateRow(): { state: GateState; auditBytes: number } {
    const row = this.#statements.gate.get();
    if (row === undefined) throw new CostctlStoreError('the gate row is missing', this.path);
    return {
      state: {
        tripped: row.tripped === 1,
        reason: row.reason === null ? undefined : String(row.reason),
        actor: row.actor === null ? undefined : String(row.actor),
        since: row.since === null ? undefined : Number(row.since),
      },
      auditBytes: Number(row.audit_bytes),
    };
  }

  #json(window: readonly string[]): string {
    let json = this.#windowJson.get(window);
    if (json === undefined) {
      json = JSON.stringify(window);
      this.#windowJson.set(window, json);
    }
    return json;
  }
}

function restoreNormalSync(db: DatabaseSync): void {
  try {
    db.exec('PRAGMA synchronous = NORMAL');
  } catch {
    // The connection broke; the error that broke it is the one to report.
  }
}
