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
  /**
   * How long opening waits while another process holds the state file
   * locked (creating or migrating it), in ms; admissions wait meanwhile.
   * Past it the store fails closed until the lock is let go. Default 5000.
   */
  openWaitMillis?: number;
}

/** How often forgotten windows are swept out by this process, at most. */
const PRUNE_EVERY_MS = 60_000;
/** A busy open is tried again after this long, doubling up to `RETRY_MAX_MS`. */
const RETRY_FIRST_MS = 20;
const RETRY_MAX_MS = 400;

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
 * An open (the first, or of a file that was replaced) that finds the file
 * locked by another process creating or migrating it is not a failure: it
 * is retried for up to `openWaitMillis`, and meanwhile `gate()` and every
 * operation answer with a promise, so a Gate built on it holds admissions
 * until the store is open.
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
  /** Pending while an open waits for another process's lock. */
  #opening: Promise<void> | undefined;
  #opened: (() => void) | undefined;
  #retry: NodeJS.Timeout | undefined;
  readonly #openWaitMillis: number;
  /** Set once the first open ended, opened or not: from then on every gate read is a change listeners hear. */
  #started = false;

  constructor(stateDir: string, options: FileStoreOptions = {}) {
    const pollMillis = options.pollMillis ?? 50;
    const openWaitMillis = options.openWaitMillis ?? 5_000;
    if (!(pollMillis > 0)) throw new CostctlArgumentError(`costctl: FileStore pollMillis must be a positive number of ms, got ${pollMillis}`);
    if (!(openWaitMillis > 0)) throw new CostctlArgumentError(`costctl: FileStore openWaitMillis must be a positive number of ms, got ${openWaitMillis}`);
    this.stateDir = resolve(stateDir);
    this.#path = join(this.stateDir, 'state.sqlite');
    this.#auditPath = join(this.stateDir, 'audit.jsonl');
    this.#openWaitMillis = openWaitMillis;
    this.#timer = setInterval(() => this.#poll(), pollMillis).unref();
    this.#open(Date.now(), RETRY_FIRST_MS);
  }

  reserve(entries: readonly CounterEntry[], leaseMillis: number, now: number): ReserveResult | Promise<ReserveResult> {
    if (this.#opening !== undefined) return this.#opening.then(() => this.reserve(entries, leaseMillis, now));
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

  commit(id: string, spend: readonly CounterSpend[], now: number, aggregates?: readonly AggregateSpend[]): void | Promise<void> {
    if (this.#opening !== undefined) return this.#opening.then(() => this.commit(id, spend, now, aggregates));
    try {
      this.#state?.commit(id, spend, now, aggregates);
    } catch (error) {
      this.#failed(error, 'commit');
    }
  }

  /** Throws when the leases were not renewed: the spend they carry is then still to commit. */
  renewLeases(renewals: readonly LeaseRenewal[], leaseMillis: number, now: number): LeaseGrant[] | Promise<LeaseGrant[]> {
    if (this.#opening !== undefined) return this.#opening.then(() => this.renewLeases(renewals, leaseMillis, now));
    const state = this.#state;
    if (state === undefined) throw this.#unusable('the leases were NOT renewed');
    try {
      return state.renewLeases(renewals, leaseMillis, now);
    } catch (error) {
      this.#failed(error, 'renewLeases');
      throw storeFailure('the leases were NOT renewed', this.stateDir, error, this.#path);
    }
  }

  seed(seeds: readonly RuleSeed[], now: number): void | Promise<void> {
    if (this.#opening !== undefined) return this.#opening.then(() => this.seed(seeds, now));
    try {
      this.#state?.seed(seeds, now);
    } catch (error) {
      this.#failed(error, 'seed');
    }
  }

  release(id: string): void | Promise<void> {
    if (this.#opening !== undefined) return this.#opening.then(() => this.release(id));
    try {
      this.#state?.release(id);
    } catch (error) {
      this.#failed(error, 'release');
    }
  }

  read(window: readonly string[], now: number): WindowSpend | Promise<WindowSpend> {
    if (this.#opening !== undefined) return this.#opening.then(() => this.read(window, now));
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
  adjust(spend: readonly CounterSpend[], now: number, aggregates?: readonly AggregateSpend[]): void | Promise<void> {
    if (this.#opening !== undefined) return this.#opening.then(() => this.adjust(spend, now, aggregates));
    const state = this.#state;
    if (state === undefined) throw this.#unusable('the spend was NOT counted in the budgets');
    try {
      state.commit('adjustment', spend, now, aggregates);
    } catch (error) {
      this.#failed(error, 'adjust');
      throw storeFailure('the spend was NOT counted in the budgets', this.stateDir, error, this.#path);
    }
  }

  readAggregates(prefixes: readonly string[], now: number): AggregateRead[] | Promise<AggregateRead[]> {
    if (this.#opening !== undefined) return this.#opening.then(() => this.readAggregates(prefixes, now));
    const state = this.#state;
    if (state === undefined) throw this.#unusable('could not read the window aggregates');
    try {
      return state.readAggregates(prefixes, now);
    } catch (error) {
      this.#failed(error, 'readAggregates');
      throw storeFailure('could not read the window aggregates', this.stateDir, error, this.#path);
    }
  }

  gate(): GateState | Promise<GateState> {
    if (this.#opening !== undefined) return this.#opening.then(() => this.gate());
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
  changeGate(change: GateChange, now: number): GateState | Promise<GateState> {
    if (this.#opening !== undefined) return this.#opening.then(() => this.changeGate(change, now));
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

  readAnnounced(key: string): string | undefined | Promise<string | undefined> {
    if (this.#opening !== undefined) return this.#opening.then(() => this.readAnnounced(key));
    const state = this.#state;
    if (state === undefined) throw this.#unusable('read what was announced');
    try {
      return state.readAnnounced(key);
    } catch (error) {
      this.#failed(error, 'readAnnounced');
      throw error;
    }
  }

  swapAnnounced(key: string, expected: string | undefined, next: string): boolean | Promise<boolean> {
    if (this.#opening !== undefined) return this.#opening.then(() => this.swapAnnounced(key, expected, next));
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
  audit(): AuditEntry[] | Promise<AuditEntry[]> {
    if (this.#opening !== undefined) return this.#opening.then(() => this.audit());
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
    clearTimeout(this.#retry);
    this.#settleOpening();
    this.#gate.clear();
    this.#state?.close();
    this.#state = undefined;
  }

  #unusable(what: string): CostctlStoreError {
    if (this.#closed) return new CostctlStoreError(`${what}: the file store of ${this.stateDir} is closed`, this.stateDir);
    return new CostctlStoreError(`${what}: ${this.#why ?? `${this.#path} cannot be used; fix or move it, then retry`}`, this.stateDir);
  }

  /**
   * Opens the file, at start or after it was replaced: another process
   * creating or migrating it holds it locked for a moment, so a busy file is
   * tried again, backing off, until `openWaitMillis` after `since`, while
   * operations wait; anything else fails closed at once. `reopened` is said
   * once a replaced file is open.
   */
  #open(since: number, backoff: number, reopened?: string): void {
    this.#retry = undefined;
    if (this.#closed) return;
    try {
      this.#attach();
      if (reopened !== undefined) logger.warn(reopened, { path: this.#path });
    } catch (error) {
      const waited = Date.now() - since;
      if (isBusy(error) && waited < this.#openWaitMillis) {
        this.#opening ??= new Promise((resolve) => (this.#opened = resolve));
        // Kept referenced: an app waiting on its first admission has nothing else keeping it alive.
        const retry = () => this.#open(since, Math.min(2 * backoff, RETRY_MAX_MS), reopened);
        this.#retry = setTimeout(retry, Math.min(backoff, this.#openWaitMillis - waited));
        return;
      }
      this.#fail(error, isBusy(error) ? waited : undefined);
    }
    this.#started = true;
    this.#settleOpening();
  }

  #settleOpening(): void {
    const opened = this.#opened;
    this.#opening = undefined;
    this.#opened = undefined;
    opened?.();
  }

  #connect(): void {
    try {
      this.#attach();
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Opens the file and takes its gate; throws when it cannot. */
  #attach(): void {
    mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
    const state = StateFile.open(this.#path, this.#auditPath);
    this.#state = state;
    this.#dataVersion = state.dataVersion();
    const gate = state.gate();
    if (this.#unreadable !== undefined) logger.info('costctl state file is readable again; calls follow the stored gate', { path: this.#path });
    this.#unreadable = undefined;
    this.#why = undefined;
    // A first open's gate is where this process starts, not a change: a gate waiting on it takes it from `gate()`.
    if (this.#started) this.#gate.publish(gate);
    else this.#gate.start(gate);
  }

  #poll(): void {
    if (this.#closed || this.#opening !== undefined) return;
    const state = this.#state;
    if (state === undefined) return this.#connect();
    try {
      state.check();
    } catch (error) {
      // Moved, replaced or overwritten: reopen whatever is at the path now; that attempt says whether it is usable.
      this.#disconnect();
      this.#open(Date.now(), RETRY_FIRST_MS, `costctl reopened its state file ${this.#path}: ${message(error)}`);
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

  /** Fails closed; `lockedMillis` is how long a first open waited for another process's lock. */
  #fail(error: unknown, lockedMillis?: number): void {
    this.#disconnect();
    if (this.#unreadable === undefined) {
      const path = this.#path;
      if (lockedMillis !== undefined) {
        logger.error(
          `costctl could not open its state file ${path}: another process has held it locked for ${lockedMillis} ms (${message(error)}); find it with \`fuser ${path}\` and let it finish or end it; calls to paid APIs stay blocked until the lock is let go`,
          { path, error: message(error) },
        );
        this.#unreadable = { tripped: true, reason: `costctl state file locked: ${message(error)}`, actor: 'costctl', since: Date.now() };
        this.#why = `${path} is locked by another process (${message(error)}); find it with \`fuser ${path}\`, let it finish or end it, then retry`;
      } else {
        logger.error(
          `costctl cannot use its state file ${path}: ${message(error)}. Fix or move it (with its -wal and -shm files); calls to paid APIs stay blocked until it is readable`,
          { path, error: message(error) },
        );
        this.#unreadable = { tripped: true, reason: `costctl state unreadable: ${message(error)}`, actor: 'costctl', since: Date.now() };
        this.#why = explainFailure(this.stateDir, error, path);
      }
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
