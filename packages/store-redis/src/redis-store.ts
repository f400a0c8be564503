import {
  CostctlStoreError,
  GateListeners,
  withoutCredentials,
  type AggregateRead,
  type AggregateSpend,
  type AuditEntry,
  type CostStore,
  type CounterEntry,
  type CounterSpend,
  type GateChange,
  type GateState,
  type LeaseGrant,
  type LeaseRenewal,
  type Logger,
  type ReserveResult,
  type RuleSeed,
  type WindowSpend,
} from '@costctl/otel/store';
import { ClientClosedError, ClientOfflineError, ErrorReply } from '@redis/client';
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { openConnection, slotPrefix, type Commands, type Connection } from './connection.js';
import { CHANGE_GATE, COMMIT, READ, READ_AGGREGATES, RELEASE, RENEW_LEASES, RESERVE, SEED, SWAP_ANNOUNCED } from './scripts.js';

/** How the Redis store connects, and how it behaves when Redis cannot answer. */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS; with `cluster`, any node of the cluster or its configuration endpoint. */
  url: string;
  /**
   * `url` names a Redis Cluster: the other nodes are discovered, every key
   * of the store is put in one slot (see `keyPrefix`), and gate changes go
   * by sharded pub/sub (Redis 7 or later). Default false.
   */
  cluster?: boolean;
  /**
   * Put before every key and the gate channel, so services can share one
   * Redis. Default `costctl:`. On a cluster, a prefix without a hash tag is
   * made one (`costctl:` → `{costctl:}`), so that all its keys share a slot.
   */
  keyPrefix?: string;
  /** How long one store operation may take before the store counts as unreachable, in ms. Default 50. */
  timeoutMillis?: number;
  /** How often the gate is read, besides pub/sub, so a missed message cannot leave a process open. Default 500. */
  gateRefreshMillis?: number;
  /**
   * `closed` (default): while Redis cannot answer, the gate reads as tripped
   * and calls are blocked. `open`: calls go on unbudgeted, with an error log.
   */
  onUnreachable?: 'closed' | 'open';
  /** Where the store says what went wrong and when it recovered. Default: JSON lines on stderr. */
  logger?: Logger;
}

type Script = 'reserve' | 'commit' | 'release' | 'read' | 'changeGate' | 'swapAnnounced' | 'seed' | 'readAggregates' | 'renewLeases';
const SOURCES: Record<Script, string> = {
  reserve: RESERVE,
  commit: COMMIT,
  release: RELEASE,
  read: READ,
  changeGate: CHANGE_GATE,
  swapAnnounced: SWAP_ANNOUNCED,
  seed: SEED,
  readAggregates: READ_AGGREGATES,
  renewLeases: RENEW_LEASES,
};
/** Keys asked for per SCAN step, and read per script run: each a short command, so reading the fleet's aggregates never stalls its calls. */
const SCAN_COUNT = 1_000;
const READ_BATCH = 500;
/** The SHA1 Redis knows each script by, computed here: on a cluster each master caches scripts of its own. */
const SHAS = Object.fromEntries(Object.entries(SOURCES).map(([name, source]) => [name, createHash('sha1').update(source).digest('hex')])) as Record<
  Script,
  string
>;
const UNIT_FIELD = { usd: 'u', tokens: 't', requests: 'q' } as const;
const OPEN: GateState = Object.freeze({ tripped: false, reason: undefined, actor: undefined, since: undefined });

/**
 * The store of a fleet: counters, reservations, the gate and its audit log
 * in one Redis (one server, or one slot of a cluster), each operation one
 * Lua script, so a check-and-reserve is atomic across every process and
 * host. A trip reaches every process by pub/sub at once, and by a periodic
 * read within `gateRefreshMillis`.
 *
 * Fails closed: an operation Redis does not answer within `timeoutMillis`
 * (down, slow, unreachable) makes the gate read as tripped until Redis
 * answers again; the store recovers by itself.
 *
 * @example
 * const store = new RedisStore({ url: 'redis://127.0.0.1:6379', keyPrefix: 'checkout:' });
 * const gate = await store.gate();
 * // A cluster: any node, or the configuration endpoint.
 * const fleet = new RedisStore({ url: 'rediss://:token@clustercfg.internal:6379', cluster: true });
 */
export class RedisStore implements CostStore {
  readonly #connection: Connection;
  readonly #client: Commands;
  readonly #prefix: string;
  readonly #failOpen: boolean;
  readonly #log: Logger;
  readonly #gate: GateListeners;
  readonly #timer: NodeJS.Timeout;
  readonly #connected: Promise<void>;
  /** Until then, an operation waits for the first connection; after it, a store not connected fails at once. */
  readonly #startDeadline: number;
  readonly #timeout: number;
  /** The URL without credentials: what error messages name. */
  readonly #where: string;
  /** The gate as Redis last said it. */
  #stored: GateState = OPEN;
  /** Set while Redis cannot answer: why. */
  #unreachable: string | undefined;
  #closed = false;
  /** Per lease (its reservation id, or its counter before it had one): renewals sent that got no answer, newest first. */
  readonly #unanswered = new Map<string, { id: string; spent: number }[]>();

  constructor(options: RedisStoreOptions) {
    const prefix = options.keyPrefix ?? 'costctl:';
    this.#prefix = options.cluster === true ? slotPrefix(prefix) : prefix;
    this.#failOpen = options.onUnreachable === 'open';
    this.#log = options.logger ?? stderrLogger;
    this.#gate = new GateListeners((text, fields) => this.#log.error(text, fields));
    const timeout = options.timeoutMillis ?? 50;
    this.#timeout = timeout;
    this.#where = withoutCredentials(options.url);
    this.#connection = openConnection(
      { url: options.url, cluster: options.cluster === true, timeoutMillis: timeout },
      {
        onError: (error) => this.#down(error),
        // After a reconnect, a message may have been missed: read the gate at once.
        onReady: () => void this.#refresh(),
      },
    );
    this.#client = this.#connection.commands;
    this.#startDeadline = Date.now() + Math.max(timeout, 1_000);
    this.#connected = this.#connect();
    this.#timer = setInterval(() => void this.#refresh(), options.gateRefreshMillis ?? 500).unref();
  }

  /**
   * The counter keys a script names, each once, and a counter's KEYS index:
   * Redis numbers KEYS from 1, and the first two are the lease set and the reservation hash.
   */
  #counterKeys(): { keys: string[]; keyIndex: (counter: string) => number } {
    const keys: string[] = [];
    const index = new Map<string, number>();
    const keyIndex = (counter: string): number => {
      let i = index.get(counter);
      if (i === undefined) {
        keys.push(this.#counterKey(counter));
        i = keys.length + 2;
        index.set(counter, i);
      }
      return i;
    };
    return { keys, keyIndex };
  }

  async reserve(entries: readonly CounterEntry[], leaseMillis: number, now: number): Promise<ReserveResult> {
    const { keys, keyIndex } = this.#counterKeys();
    const id = randomUUID();
    const payload = {
      id,
      now,
      lease: leaseMillis,
      entries: entries.map((entry) => ({
        c: keyIndex(entry.counter),
        w: entry.window.map(keyIndex),
        a: String(entry.amount),
        l: entry.limit ?? null,
        e: windowEnd(entry.expiresAt),
      })),
    };
    try {
      const reply = (await this.#run('reserve', [this.#key('leases'), this.#key('res'), ...keys], [JSON.stringify(payload)])) as [
        number,
        string | number,
        string?,
      ];
      if (reply[0] === 1) return { ok: true, id };
      return { ok: false, index: Number(reply[1]), spent: amount(reply[2]) };
    } catch (error) {
      this.#down(error);
      if (this.#failOpen) return { ok: true, id: `unreserved:${id}` };
      return {
        ok: false,
        index: Math.max(
          0,
          entries.findIndex((entry) => entry.limit !== undefined),
        ),
        spent: Number.POSITIVE_INFINITY,
      };
    }
  }

  async commit(id: string, spend: readonly CounterSpend[], now: number, aggregates: readonly AggregateSpend[] = []): Promise<void> {
    const keys = [this.#key('leases'), this.#key('res'), ...spend.map((s) => this.#counterKey(s.counter))];
    const payload = { id, now, spend: spend.map((s) => ({ a: String(s.amount), e: windowEnd(s.expiresAt) })), agg: this.#aggregatePayload(aggregates, keys) };
    await this.#attempt('commit', keys, [JSON.stringify(payload)]);
  }

  /**
   * Every aggregate still kept under `prefixes`: a SCAN walk of the store's
   * keys on the node serving its slot, then the sums read a batch at a time.
   */
  async readAggregates(prefixes: readonly string[], now: number): Promise<AggregateRead[]> {
    const found = new Map<string, AggregateRead>();
    try {
      await this.#ready();
      const scanner = await this.#timed(this.#connection.scanner(this.#key('gate')));
      const keys = new Set<string>();
      for (const prefix of prefixes) {
        const match = `${globEscape(this.#aggregateKey(prefix))}*`;
        let cursor = '0';
        do {
          const reply = await this.#timed(scanner.scan(cursor, { MATCH: match, COUNT: SCAN_COUNT }));
          cursor = String(reply.cursor);
          for (const key of reply.keys) keys.add(String(key));
        } while (cursor !== '0');
      }
      const all = [...keys];
      const strip = this.#aggregateKey('').length;
      for (let at = 0; at < all.length; at += READ_BATCH) {
        const batch = all.slice(at, at + READ_BATCH);
        const reply = (await this.#run('readAggregates', batch, [String(now)])) as string[][];
        reply.forEach((sums, i) => {
          if (sums.length === 0) return;
          const key = batch[i]!.slice(strip);
          found.set(key, { key, usd: amount(sums[0]), tokens: amount(sums[1]), requests: amount(sums[2]) });
        });
      }
    } catch (error) {
      this.#down(error);
      throw this.#failure('could not read the window aggregates', error);
    }
    return [...found.values()];
  }

  /** The commit script's `agg` payload; appends each aggregate key to `keys`, in the order the script reads them. */
  #aggregatePayload(aggregates: readonly AggregateSpend[], keys: string[]): { u: string; t: string; q: string; e: string[] }[] {
    return aggregates.map((aggregate) => {
      const ends: string[] = [];
      for (const { prefix, expiresAt } of aggregate.windows) {
        for (const dimension of aggregate.dimensions) {
          keys.push(this.#aggregateKey(prefix + dimension));
          ends.push(windowEnd(expiresAt));
        }
      }
      return { u: String(aggregate.usd), t: String(aggregate.tokens), q: String(aggregate.requests), e: ends };
    });
  }

  /** Renews every lease in one script; rejects when Redis did not answer, the spend they carry then still to commit. */
  async renewLeases(renewals: readonly LeaseRenewal[], leaseMillis: number, now: number): Promise<LeaseGrant[]> {
    const { keys, keyIndex } = this.#counterKeys();
    const ids = renewals.map(() => randomUUID());
    const unanswered = renewals.map(({ id, entry }) => this.#unanswered.get(id ?? `counter:${entry.counter}`) ?? []);
    const payload = {
      now,
      lease: leaseMillis,
      r: renewals.map(({ id, spent, entry, keep }, i) => ({
        o: id ?? '',
        n: ids[i],
        u: unanswered[i]!.map((u) => ({ i: u.id, s: String(u.spent) })),
        s: String(spent),
        c: keyIndex(entry.counter),
        w: entry.window.map(keyIndex),
        a: String(entry.amount),
        l: entry.limit ?? null,
        k: String(keep),
        e: windowEnd(entry.expiresAt),
      })),
    };
    let reply: (string | number)[];
    let sent = false;
    try {
      await this.#ready();
      sent = true;
      reply = (await this.#run('renewLeases', [this.#key('leases'), this.#key('res'), ...keys], [JSON.stringify(payload)])) as (string | number)[];
    } catch (error) {
      this.#down(error);
      // Sent and not answered, it may have run: its retry must not count its spend twice, nor leave what it held.
      if (sent && !notRun(error)) {
        renewals.forEach(({ id, spent, entry }, i) => this.#unanswered.set(id ?? `counter:${entry.counter}`, [{ id: ids[i]!, spent }, ...unanswered[i]!]));
      }
      throw this.#failure('could not renew leases', error);
    }
    renewals.forEach(({ id, entry }) => this.#unanswered.delete(id ?? `counter:${entry.counter}`));
    return renewals.map((_, i) => {
      const id = String(reply[i * 2 + 1]);
      return { granted: Number(reply[i * 2]) === 1, id: id === '' ? undefined : id };
    });
  }

  /** Seeds every definition not seen yet, in one script: once for the whole fleet. */
  async seed(seeds: readonly RuleSeed[], now: number): Promise<void> {
    if (seeds.length === 0) return;
    const keys: string[] = [];
    const at = (key: string): number => keys.push(key);
    const payload = {
      now,
      seeds: seeds.map((seed) => ({
        s: at(this.#key(`seen:${seed.seen}`)),
        c: at(this.#counterKey(seed.counter)),
        e: windowEnd(seed.expiresAt),
        u: UNIT_FIELD[seed.unit],
        f: seed.from.map((dimension) => dimension.map((key) => at(this.#aggregateKey(key)))),
      })),
    };
    try {
      await this.#run('seed', keys, [JSON.stringify(payload)]);
    } catch (error) {
      this.#down(error);
      throw error;
    }
  }

  async release(id: string): Promise<void> {
    await this.#attempt('release', [this.#key('leases'), this.#key('res')], [id]);
  }

  async read(window: readonly string[], now: number): Promise<WindowSpend> {
    let reply: [string, string];
    try {
      reply = (await this.#run(
        'read',
        window.map((counter) => this.#counterKey(counter)),
        [String(now)],
      )) as [string, string];
    } catch (error) {
      this.#down(error);
      throw this.#failure('could not read budgets', error);
    }
    return { spent: amount(reply[0]), reserved: amount(reply[1]) };
  }

  /** Adds spend outside any call; rejects with a CostctlStoreError when Redis did not confirm it. */
  async adjust(spend: readonly CounterSpend[], now: number, aggregates: readonly AggregateSpend[] = []): Promise<void> {
    const keys = [this.#key('leases'), this.#key('res'), ...spend.map((s) => this.#counterKey(s.counter))];
    // The commit script's payload whole: without `agg` its aggregate loop fails and nothing is counted.
    const payload = {
      id: 'adjustment',
      now,
      spend: spend.map((s) => ({ a: String(s.amount), e: windowEnd(s.expiresAt) })),
      agg: this.#aggregatePayload(aggregates, keys),
    };
    let sent = false;
    try {
      await this.#ready();
      sent = true;
      await this.#run('commit', keys, [JSON.stringify(payload)]);
    } catch (error) {
      this.#down(error);
      if (sent && !notRun(error)) throw this.#undecided('the budgets may or may not count the spend', error, 'check costctl status before retrying');
      throw this.#failure('the spend was NOT counted in the budgets', error);
    }
  }

  async gate(): Promise<GateState> {
    await this.#refresh();
    return this.#gate.last;
  }

  /**
   * Rejects with a CostctlStoreError when Redis did not confirm the change, a
   * trip included: the fail-closed state this process enforces meanwhile is
   * no trip the fleet will keep once Redis answers again.
   */
  async changeGate(change: GateChange, now: number): Promise<GateState> {
    let sent = false;
    try {
      const args = [change.action, change.reason, change.actor, String(now), hostname(), String(process.pid), this.#key('gate'), this.#connection.publish];
      await this.#ready();
      sent = true;
      const reply = (await this.#run('changeGate', [this.#key('gate'), this.#key('audit')], args)) as string;
      this.#up();
      this.#publish((this.#stored = parseGate(reply)));
      return this.#gate.last;
    } catch (error) {
      this.#down(error);
      const done = change.action === 'trip' ? 'tripped' : 'reset';
      if (sent && !notRun(error)) throw this.#undecided(`the gate may or may not be ${done}`, error, 'read the gate again before retrying');
      throw this.#failure(`the gate was NOT ${done}`, error);
    }
  }

  async readAnnounced(key: string): Promise<string | undefined> {
    await this.#ready();
    return (await this.#timed(this.#client.get(this.#key(`n:${key}`)))) ?? undefined;
  }

  async swapAnnounced(key: string, expected: string | undefined, next: string): Promise<boolean> {
    const reply = await this.#run('swapAnnounced', [this.#key(`n:${key}`)], [expected === undefined ? '0' : '1', expected ?? '', next]);
    return reply === 1;
  }

  onGateChange(listener: (state: GateState) => void): () => void {
    return this.#gate.add(listener);
  }

  reachable(): boolean {
    return this.#unreachable === undefined;
  }

  async audit(): Promise<AuditEntry[]> {
    let entries: Awaited<ReturnType<Commands['xRange']>>;
    try {
      await this.#ready();
      entries = (await this.#timed(this.#client.xRange(this.#key('audit'), '-', '+'))) ?? [];
    } catch (error) {
      this.#down(error);
      throw this.#failure('could not read the audit log', error);
    }
    return entries.map(({ message: m }) => ({
      time: new Date(Number(m['time'])).toISOString(),
      action: m['action'] === 'trip' ? 'trip' : 'reset',
      reason: m['reason'] ?? '',
      actor: m['actor'] ?? '',
      host: m['host'] ?? '',
      pid: Number(m['pid']),
      wasTripped: m['wasTripped'] === '1',
    }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#gate.clear();
    await this.#connection.close();
  }

  /** Connects and subscribes to gate changes; a Redis that is not up yet only delays this. */
  async #connect(): Promise<void> {
    try {
      await this.#connection.connect(this.#key('gate'), (state) => {
        this.#up();
        this.#publish((this.#stored = parseGate(state)));
      });
    } catch (error) {
      this.#down(error);
    }
  }

  /** Waits for the first connection while the process starts; never waits for a reconnect. */
  async #ready(): Promise<void> {
    if (this.#client.isReady) return;
    const wait = this.#startDeadline - Date.now();
    if (wait > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#connected, new Promise((resolve) => (timer = setTimeout(resolve, wait)))]);
      clearTimeout(timer);
    }
    if (this.#client.isReady) return;
    throw new CostctlStoreError(this.#closed ? 'the Redis store is closed' : (this.#unreachable ?? 'not connected'), this.#where);
  }

  /** A command sent but not answered (no reply in time, the connection dropped) may have run: "NOT" would be a guess. */
  #undecided(what: string, error: unknown, next: string): CostctlStoreError {
    const how = error instanceof RedisTimeout ? `did not answer within ${this.#timeout} ms` : `dropped the connection before answering (${message(error)})`;
    return new CostctlStoreError(`${what}: the Redis store at ${this.#where} was sent the change but ${how}; ${next}`, this.#where, { cause: error });
  }

  /** What did not happen, why, and what to do: one line naming the URL without its credentials. */
  #failure(what: string, error: unknown): CostctlStoreError {
    const why =
      error instanceof ErrorReply
        ? `refused it (${message(error)}); fix what Redis names, then retry`
        : `did not answer (${message(error)}); check that Redis is running and reachable there, then retry`;
    return new CostctlStoreError(`${what}: the Redis store at ${this.#where} ${why}`, this.#where, { cause: error });
  }

  /** Reads the gate from Redis; the periodic check that also notices Redis coming back. */
  async #refresh(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#ready();
      const fields = await this.#timed(this.#client.hGetAll(this.#key('gate')));
      this.#up();
      this.#publish((this.#stored = gateFromHash(fields)));
    } catch (error) {
      this.#down(error);
    }
  }

  async #attempt(script: Script, keys: string[], args: string[]): Promise<void> {
    try {
      await this.#run(script, keys, args);
    } catch (error) {
      this.#down(error);
    }
  }

  /**
   * Runs a script by its SHA; where the server does not know it yet (first
   * use, a restart, a failover, another master), sends it whole, on the
   * node serving its keys, which keeps it for next time.
   */
  async #run(script: Script, keys: string[], args: string[]): Promise<unknown> {
    await this.#ready();
    let reply: unknown;
    try {
      reply = await this.#timed(this.#client.evalSha(SHAS[script], { keys, arguments: args }));
    } catch (error) {
      if (!message(error).startsWith('NOSCRIPT')) throw error;
      reply = await this.#timed(this.#client.eval(SOURCES[script], { keys, arguments: args }));
    }
    // An answer after an outage: read the gate at once, so a single slow reply blocks only the calls it delayed.
    if (this.#unreachable !== undefined) void this.#refresh();
    return reply;
  }

  /**
   * The command's reply, or a rejection once `timeoutMillis` has passed: the
   * client's own timeout stops at writing, and a hung Redis never replies.
   */
  #timed<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisTimeout(`no answer within ${this.#timeout} ms`)), this.#timeout);
    });
    return Promise.race([command, expired]).finally(() => clearTimeout(timer));
  }

  #up(): void {
    if (this.#unreachable === undefined) return;
    this.#unreachable = undefined;
    this.#log.info('costctl reaches Redis again; calls follow the stored gate and budgets', { store: 'redis' });
  }

  #down(error: unknown): void {
    if (this.#closed) return;
    if (this.#unreachable === undefined) {
      this.#unreachable = message(error);
      const effect = this.#failOpen ? 'calls go on UNBUDGETED (onUnreachable: open)' : 'calls to paid APIs are blocked until it answers';
      this.#log.error(`costctl cannot reach its Redis store: ${this.#unreachable}; ${effect}`, { store: 'redis', error: this.#unreachable });
    }
    this.#publish(this.#stored);
  }

  /** Tells listeners the gate to enforce: the stored one, or tripped while Redis cannot answer (fail closed). */
  #publish(stored: GateState): void {
    let state = stored;
    if (this.#unreachable !== undefined && !this.#failOpen && !stored.tripped) {
      const last = this.#gate.last;
      const since = last.tripped && last.actor === 'costctl' ? last.since : Date.now();
      state = { tripped: true, reason: `costctl store unreachable: ${this.#unreachable}`, actor: 'costctl', since };
    }
    this.#gate.publish(state);
  }

  #key(name: string): string {
    return `${this.#prefix}${name}`;
  }

  #counterKey(counter: string): string {
    return `${this.#prefix}c:${counter}`;
  }

  #aggregateKey(key: string): string {
    return `${this.#prefix}a:${key}`;
  }
}

/** A command Redis did not answer in time: it may have been received, and may still run. */
class RedisTimeout extends Error {}

/** Errors that mean the command never ran: the client did not send it, or Redis answered with an error. */
function notRun(error: unknown): boolean {
  return error instanceof ClientOfflineError || error instanceof ClientClosedError || error instanceof ErrorReply;
}

/** The window's end as the scripts take it: empty for a window without end (`total`). */
function windowEnd(expiresAt: number): string {
  return Number.isFinite(expiresAt) ? String(expiresAt) : '';
}

/** A key as a SCAN pattern that matches only itself: glob characters escaped. */
function globEscape(key: string): string {
  return key.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}

/** A sum added up by HINCRBYFLOAT, without the last-digit noise of binary fractions. */
function amount(raw: string | undefined): number {
  const value = Number(raw ?? 0);
  return Number.isFinite(value) ? Number(value.toPrecision(15)) : 0;
}

function parseGate(json: string): GateState {
  const state = JSON.parse(json) as { tripped: boolean; reason?: string; actor?: string; since?: number };
  return { tripped: state.tripped === true, reason: state.reason, actor: state.actor, since: state.since };
}

function gateFromHash(fields: Record<string, string>): GateState {
  if (fields['tripped'] === undefined) return OPEN;
  return { tripped: fields['tripped'] === '1', reason: fields['reason'], actor: fields['actor'], since: Number(fields['since']) };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const stderrLogger: Logger = {
  debug: () => {},
  info: (msg, fields) => process.stderr.write(`${JSON.stringify({ level: 'info', name: 'costctl', msg, ...fields })}\n`),
  warn: (msg, fields) => process.stderr.write(`${JSON.stringify({ level: 'warn', name: 'costctl', msg, ...fields })}\n`),
  error: (msg, fields) => process.stderr.write(`${JSON.stringify({ level: 'error', name: 'costctl', msg, ...fields })}\n`),
};
