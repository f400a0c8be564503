import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CostctlArgumentError, CostctlStoreError } from '../model/errors.js';
import { logger } from '../model/logger.js';
import { readAuditLog } from './file-audit.js';
import { explainFailure, isBusy, storeFailure } from './file-failure.js';
import { StateFile } from './file-state.js';
import { GateListeners } from './gate-listeners.js';
import type {
  AggregateRead,
  AggregateSpend,
  AuditEntry,
  CostStore,
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

export interface FileStoreOptions {
  /** How often another process's gate change (and a readable file again) is looked for, in ms. Default 50. */
  pollMillis?: number;
}

/** How often forgotten windows are swept out by this process, at most. */
const PRUNE_EVERY_MS = 60_000;

/**
 * The store of every process of one host: counters, reservations and the
 * gate in `<stateDir>/state.sqlite` (SQLite through `node:sqlite`, no
 * dependency), the gate's audit log in `<stateDir>/audit.jsonl`. Each
 * operation is one SQLite transaction, so a check-and-reserve is atomic
 * across processes; a process that dies holding a reservation loses it when
 * its lease runs out. Every process sees another's gate change within about
 * `pollMillis`.
 *
 * Fails closed: while the state file cannot be opened, read or written, the
 * gate reads as tripped (`costctl state unreadable: …`, actor `costctl`) and
 * `reserve` blocks; it recovers by itself once the file is usable again.
 *
 * @example
 * const store = new FileStore('.costctl');
 * const gate = new Gate(store, store.gate());
 * const result = store.reserve(entries, 600_000, Date.now());
 */
export class FileStore implements CostStore {
  /** The directory holding state.sqlite and audit.jsonl. */
  readonly stateDir: string;
  readonly #path: string;
  readonly #auditPath: string;
  readonly #gate = new GateListeners((text, fields) => logger.error(text, fields));
  readonly #timer: NodeJS.Timeout;
  #state: StateFile | undefined;
  /** Set while the state file is unusable: the gate this process enforces meanwhile. */
  #unreadable: GateState | undefined;
  /** Set while the state file is unusable: why, and what to do about it. */
  #why: string | undefined;
  #dataVersion = -1;
  #nextPrune = 0;
  #closed = false;

  constructor(stateDir: string, options: FileStoreOptions = {}) {
    const pollMillis = options.pollMillis ?? 50;
    if (!(pollMillis > 0)) throw new CostctlArgumentError(`costctl: FileStore pollMillis must be a positive number of ms, got ${pollMillis}`);
    this.stateDir = resolve(stateDir);
    this.#path = join(this.stateDir, 'state.sqlite');
    this.#auditPath = join(this.stateDir, 'audit.jsonl');
    this.#connect();
    this.#timer = setInterval(() => this.#poll(), pollMillis).unref();
  }

  reserve(entries: readonly CounterEntry[], leaseMillis: number, now: number): ReserveResult {
    const state = this.#state;
    if (state === undefined) return blocked(entries);
    const prune = now >= this.#nextPrune;
    if (prune) this.#nextPrune = now + PRUNE_EVERY_MS;
    try {
      return state.reserve(entries, leaseMillis, now, prune);
    } catch (error) {
      this.#failed(error, 'reserve');
      return blocked(entries);
    }
  }

  commit(id: string, spend: readonly CounterSpend[], now: number, aggregates?: readonly AggregateSpend[]): void {
    try {
      this.#state?.commit(id, spend, now, aggregates);
    } catch (error) {
      this.#failed(error, 'commit');
    }
  }

  /** Throws when the leases were not renewed: the spend they carry is then still to commit. */
  renewLeases(renewals: readonly LeaseRenewal[], leaseMillis: number, now: number): LeaseGrant[] {
    const state = this.#state;
    if (state === undefined) throw this.#unusable('the leases were NOT renewed');
    try {
      return state.renewLeases(renewals, leaseMillis, now);
    } catch (error) {
      this.#failed(error, 'renewLeases');
      throw storeFailure('the leases were NOT renewed', this.stateDir, error, this.#path);
    }
  }

  seed(seeds: readonly RuleSeed[], now: number): void {
    try {
      this.#state?.seed(seeds, now);
    } catch (error) {
      this.#failed(error, 'seed');
    }
  }

  release(id: string): void {
    try {
      this.#state?.release(id);
    } catch (error) {
      this.#failed(error, 'release');
    }
  }

  read(window: readonly string[], now: number): WindowSpend {
    const state = this.#state;
    if (state === undefined) throw this.#unusable('could not read budgets');
    try {
      return state.read(window, now);
    } catch (error) {
      this.#failed(error, 'read');
      throw storeFailure('could not read budgets', this.stateDir, error, this.#path);
    }
  }

  /** Adds spend outside any call; throws a CostctlStoreError when it was not recorded. */
  adjust(spend: readonly CounterSpend[], now: number, aggregates?: readonly AggregateSpend[]): void {
    const state = this.#state;
    if (state === undefined) throw this.#unusable('the spend was NOT counted in the budgets');
    try {
      state.commit('adjustment', spend, now, aggregates);
    } catch (error) {
      this.#failed(error, 'adjust');
      throw storeFailure('the spend was NOT counted in the budgets', this.stateDir, error, this.#path);
    }
  }

  readAggregates(prefixes: readonly string[], now: number): AggregateRead[] {
    const state = this.#state;
    if (state === undefined) throw this.#unusable('could not read the window aggregates');
    try {
      return state.readAggregates(prefixes, now);
    } catch (error) {
      this.#failed(error, 'readAggregates');
      throw storeFailure('could not read the window aggregates', this.stateDir, error, this.#path);
    }
  }

  gate(): GateState {
    const state = this.#state;
    if (state === undefined) return this.#unreadable ?? this.#gate.last;
    try {
      return state.gate();
    } catch (error) {
      this.#failed(error, 'gate');
      return this.#unreadable ?? this.#gate.last;
    }
  }

  /**
   * Throws a CostctlStoreError whenever the change could not be recorded, a
   * trip included: the fail-closed state this process enforces meanwhile is
   * not a trip an operator can rely on once the file is usable again.
   */
  changeGate(change: GateChange, now: number): GateState {
    const what = `the gate was NOT ${change.action === 'trip' ? 'tripped' : 'reset'}`;
    const state = this.#state;
    if (state === undefined) throw this.#unusable(what);
    try {
      const next = state.changeGate(change, now);
      this.#gate.publish(next);
      return next;
    } catch (error) {
      this.#failed(error, 'changeGate');
      throw storeFailure(what, this.stateDir, error, this.#path);
    }
  }

  readAnnounced(key: string): string | undefined {
    const state = this.#state;
    if (state === undefined) throw this.#unusable('read what was announced');
    try {
      return state.readAnnounced(key);
    } catch (error) {
      this.#failed(error, 'readAnnounced');
      throw error;
    }
  }

  swapAnnounced(key: string, expected: string | undefined, next: string): boolean {
    const state = this.#state;
    if (state === undefined) throw this.#unusable('record an announcement');
    try {
      return state.swapAnnounced(key, expected, next);
    } catch (error) {
      this.#failed(error, 'swapAnnounced');
      throw error;
    }
  }

  onGateChange(listener: (state: GateState) => void): () => void {
    return this.#gate.add(listener);
  }

  reachable(): boolean {
    return this.#state !== undefined;
  }

  /** Only committed changes: while the state file is unusable, which lines committed is unknown, so this throws. */
  audit(): AuditEntry[] {
    const state = this.#state;
    if (state === undefined) throw this.#unusable('could not read the audit log');
    try {
      return readAuditLog(this.#auditPath, state.auditBytes());
    } catch (error) {
      this.#failed(error, 'audit');
      throw storeFailure('could not read the audit log', this.stateDir, error, this.#auditPath);
    }
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#gate.clear();
    this.#state?.close();
    this.#state = undefined;
  }

  #unusable(what: string): CostctlStoreError {
    if (this.#closed) return new CostctlStoreError(`${what}: the file store of ${this.stateDir} is closed`, this.stateDir);
    return new CostctlStoreError(`${what}: ${this.#why ?? `${this.#path} cannot be used; fix or move it, then retry`}`, this.stateDir);
  }

  #connect(): void {
    try {
      mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
      const state = StateFile.open(this.#path, this.#auditPath);
      this.#state = state;
      this.#dataVersion = state.dataVersion();
      const gate = state.gate();
      if (this.#unreadable !== undefined) logger.info('costctl state file is readable again; calls follow the stored gate', { path: this.#path });
      this.#unreadable = undefined;
      this.#why = undefined;
      this.#gate.publish(gate);
    } catch (error) {
      this.#fail(error);
    }
  }

  #poll(): void {
    if (this.#closed) return;
    const state = this.#state;
    if (state === undefined) return this.#connect();
    try {
      state.check();
    } catch (error) {
      // Moved, replaced or overwritten: reopen whatever is at the path now; that attempt says whether it is usable.
      this.#disconnect();
      this.#connect();
      if (this.#state !== undefined) logger.warn(`costctl reopened its state file ${this.#path}: ${message(error)}`, { path: this.#path });
      return;
    }
    try {
      const version = state.dataVersion();
      if (version === this.#dataVersion) return;
      this.#dataVersion = version;
      this.#gate.publish(state.gate());
    } catch (error) {
      this.#failed(error, 'poll');
    }
  }

  /** An operation failed: lock contention fails only that operation; anything else makes the state unreadable. */
  #failed(error: unknown, operation: string): void {
    if (isBusy(error)) {
      logger.warn(`costctl gave up on ${operation}: another process held the write lock on ${this.#path} too long`, { error: message(error) });
      return;
    }
    this.#fail(error);
  }

  #fail(error: unknown): void {
    this.#disconnect();
    if (this.#unreadable === undefined) {
      const reason = `costctl state unreadable: ${message(error)}`;
      logger.error(
        `costctl cannot use its state file ${this.#path}: ${message(error)}. Fix or move it (with its -wal and -shm files); calls to paid APIs stay blocked until it is readable`,
        { path: this.#path, error: message(error) },
      );
      this.#unreadable = { tripped: true, reason, actor: 'costctl', since: Date.now() };
      this.#why = explainFailure(this.stateDir, error, this.#path);
    }
    this.#gate.publish(this.#unreadable);
  }

  #disconnect(): void {
    try {
      this.#state?.close();
    } catch {
      // Already unusable; the point is to let go of it.
    }
    this.#state = undefined;
  }
}

/** The answer to every reservation while the state is unreadable: blocked, on the first limited entry, at an unknown (infinite) spend. */
function blocked(entries: readonly CounterEntry[]): ReserveResult {
  return {
    ok: false,
    index: Math.max(
      0,
      entries.findIndex((entry) => entry.limit !== undefined),
    ),
    spent: Number.POSITIVE_INFINITY,
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
