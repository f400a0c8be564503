import type { Gate } from '../gate/gate.js';
import type { CostStore, WindowSpend } from '../store/types.js';
import { levelValue, type Level } from '../model/level.js';
import type { AlertDispatcher } from './alerts.js';
import type { BudgetRule } from './rules.js';

/** A rule as the evaluator last saw it. */
export interface RuleStatus {
  rule: BudgetRule;
  spent: number;
  reserved: number;
  level: Level;
  /** True while the rule refuses calls whose reservation would pass its limit: exceeded, with spend still below the limit. */
  refusing: boolean;
}

/** What the store keeps per rule: the level last announced, the window it was in, and the smallest call refused in that window. */
interface Announced {
  level: Level;
  window: string;
  refused?: number;
}

/** Tries to move a rule's announced level before leaving it to the process that keeps moving it. */
const SWAP_ATTEMPTS = 3;

/**
 * Moves each rule between ok, warning, critical and exceeded from the
 * store's committed spend — and to exceeded while the rule refuses calls —,
 * and announces each change once per fleet: the level last announced is kept
 * in the store, and only the process whose compare-and-set moves it fires
 * the alert (and trips the gate for a `trip` rule). Evaluating twice with no
 * change fires nothing, and a process that starts later re-sends nothing.
 */
export class BudgetLevels {
  readonly #rules: readonly BudgetRule[];
  readonly #store: CostStore;
  readonly #gate: Gate;
  readonly #alerts: AlertDispatcher;
  /** Calls this process saw refused, per rule: the smallest, in the window it was refused in. */
  readonly #refusals = new Map<string, { window: string; amount: number }>();
  #last: RuleStatus[] = [];

  constructor(rules: readonly BudgetRule[], store: CostStore, gate: Gate, alerts: AlertDispatcher) {
    this.#rules = rules;
    this.#store = store;
    this.#gate = gate;
    this.#alerts = alerts;
  }

  /** The statuses of the last evaluation: what the gauges show. */
  get statuses(): readonly RuleStatus[] {
    return this.#last;
  }

  /**
   * `rule` refused a call that needed `amount`: the rule is exhausted until
   * its window frees room for it. On the call path, so O(1) and no I/O; the
   * next evaluation announces it.
   */
  refused(rule: BudgetRule, amount: number, now: number): void {
    const window = windowId(rule, now);
    const known = this.#refusals.get(rule.name);
    if (known === undefined || known.window !== window || amount < known.amount) this.#refusals.set(rule.name, { window, amount });
  }

  /** Reads every rule's spend, moves its level, announces the changes this process made. Throws the first store failure, after trying every rule. */
  async evaluate(now = Date.now()): Promise<readonly RuleStatus[]> {
    const statuses: RuleStatus[] = [];
    let failure: unknown;
    for (const rule of this.#rules) {
      try {
        statuses.push(await this.#evaluate(rule, now));
      } catch (error) {
        failure ??= error;
      }
    }
    this.#last = statuses;
    if (failure !== undefined) throw failure;
    return statuses;
  }

  async #evaluate(rule: BudgetRule, now: number): Promise<RuleStatus> {
    const window = windowId(rule, now);
    const local = this.#refusals.get(rule.name);
    const localRefused = local?.window === window ? local.amount : undefined;
    const key = announcedKey(rule);
    for (let attempt = 1; ; attempt++) {
      const raw = await this.#store.readAnnounced(key);
      // Spend read after the level it may move: a level another process announced from later spend cannot be moved back by this read.
      const spend = await this.#store.read(rule.windowNow(now).window, now);
      const announced = parseAnnounced(raw);
      const refused = smaller(localRefused, announced?.window === window ? announced.refused : undefined);
      const status = statusOf(rule, spend, refused);
      // The window freed room for the call it refused, or moved on: this process's refusal is over.
      if (local !== undefined && !status.refusing) this.#refusals.delete(rule.name);
      const previous = announced?.level ?? 'ok';
      if (status.level === previous) return status;
      const next: Announced = { level: status.level, window, ...(status.refusing ? { refused } : {}) };
      if (await this.#store.swapAnnounced(key, raw, JSON.stringify(next))) {
        await this.#announce(status, previous, now);
        return status;
      }
      // Another process moved it first: read what it announced and look again.
      if (attempt === SWAP_ATTEMPTS) return status;
    }
  }

  async #announce(status: RuleStatus, previous: Level, now: number): Promise<void> {
    const { config } = status.rule;
    this.#alerts.fire({
      kind: 'budget',
      rule: status.rule.name,
      level: status.level,
      previous,
      spent: status.spent,
      limit: config.limit,
      unit: config.unit,
      window: config.window,
      action: config.action,
      refusing: status.refusing,
      time: new Date(now).toISOString(),
    });
    if (status.level === 'exceeded' && config.action === 'trip' && !this.#gate.isTripped()) {
      await this.#gate.trip({ reason: `rule ${status.rule.name} exceeded its limit of ${config.limit} ${config.unit}`, actor: `rule:${status.rule.name}` });
    }
  }
}

/** A rule's spend and level now, read from the store (a refusal announced by any process included); no alert, no side effect. */
export async function ruleStatus(rule: BudgetRule, store: CostStore, now: number): Promise<RuleStatus> {
  const spend: WindowSpend = await store.read(rule.windowNow(now).window, now);
  const announced = parseAnnounced(await store.readAnnounced(announcedKey(rule)));
  return statusOf(rule, spend, announced?.window === windowId(rule, now) ? announced.refused : undefined);
}

/**
 * Exceeded once spend reaches the limit, or while the smallest call refused
 * in this window still would not fit (spend + reserved + that call > limit).
 */
function statusOf(rule: BudgetRule, spend: WindowSpend, refused: number | undefined): RuleStatus {
  const { limit, warnAt, criticalAt } = rule.config;
  const { spent, reserved } = spend;
  const refusing = spent < limit && refused !== undefined && spent + reserved + refused > limit;
  let level: Level = 'ok';
  if (spent >= limit || refusing) level = 'exceeded';
  else if (spent >= limit * criticalAt) level = 'critical';
  else if (spent >= limit * warnAt) level = 'warning';
  return { rule, spent, reserved, level, refusing };
}

/** The store key of a rule's announced level. */
function announcedKey(rule: BudgetRule): string {
  return `rule:${rule.name}`;
}

/** Which window a level belongs to: a calendar or total window by its key; a rolling window is one window that slides. */
function windowId(rule: BudgetRule, now: number): string {
  return rule.config.window.startsWith('rolling:') ? rule.config.window : rule.windowNow(now).counter;
}

function parseAnnounced(raw: string | undefined): Announced | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<Announced>;
    if (typeof value.level !== 'string' || !(value.level in levelValue) || typeof value.window !== 'string') return undefined;
    return { level: value.level, window: value.window, ...(typeof value.refused === 'number' ? { refused: value.refused } : {}) };
  } catch {
    return undefined;
  }
}

function smaller(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
