import { logger } from '../model/logger.js';
import type { AggregateSpend, CostStore, RuleSeed } from '../store/types.js';
import type { CallResult } from '../model/call-result.js';
import { billedTokens } from './billed-tokens.js';
import type { BudgetRule, CallScope } from './rules.js';
import { calendarWindow, parseWindow, type CalendarUnit } from '../model/windows.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Hour aggregates answer rolling windows up to two days; day aggregates, any window up to the longest rolling one (366 d). */
export const HOURS_KEPT_MS = 49 * HOUR;
export const DAYS_KEPT_MS = 367 * DAY;
const ROLLING_BY_HOURS_MS = 48 * HOUR;

type Windows = AggregateSpend['windows'];

/**
 * The window aggregates every settled call adds to, in the same store
 * operation as its commit: what it used in the zone's calendar hour, its
 * day, and all time, by each scope dimension of the call — all calls, its
 * provider, its model, each allow-listed label it carries. A rule seen for
 * the first time is seeded from them, so it counts the spend its window
 * already had.
 *
 * What the aggregates cannot know exactly, they overstate (a budget may
 * hold back sooner, never let more through): a minute window is seeded
 * with its whole hour, a rolling window with the whole hours (up to 48 h)
 * or days it overlaps, a scope of several dimensions with the least of
 * theirs; a prepaid balance bought over 366 days ago with all time.
 *
 * @example
 * const aggregates = new WindowAggregates('Europe/Paris');
 * aggregates.windowsAt(now) // [{ prefix: 'hour:2026-12-07T19|', … }, { prefix: 'day:2026-12-07|', … }, { prefix: 'total|', … }]
 * aggregates.dimensions({ provider: 'openai', model: 'gpt-4o-mini', labels: { tenant: 'acme' } })
 * // ['*', 'provider=openai', 'model=gpt-4o-mini', 'label:tenant=acme']
 */
export class WindowAggregates {
  readonly #timeZone: string;
  #windows: Windows = [];
  #validFrom = Infinity;
  #validUntil = -Infinity;

  constructor(timeZone: string) {
    this.#timeZone = timeZone;
  }

  /** The windows a call settled at `now` adds to; the same array until the hour moves on. */
  windowsAt(now: number): Windows {
    if (now >= this.#validFrom && now < this.#validUntil) return this.#windows;
    const hour = calendarWindow('hour', now, this.#timeZone);
    const day = calendarWindow('day', now, this.#timeZone);
    this.#windows = [
      { prefix: `${hour.key}|`, expiresAt: hour.end + HOURS_KEPT_MS },
      { prefix: `${day.key}|`, expiresAt: day.end + DAYS_KEPT_MS },
      { prefix: 'total|', expiresAt: Infinity },
    ];
    this.#validFrom = hour.start;
    this.#validUntil = hour.end;
    return this.#windows;
  }

  /** The scope dimensions of a call, as rule scopes name them. */
  dimensions(call: CallScope): string[] {
    const dimensions = ['*', `provider=${call.provider}`];
    if (call.model !== undefined) dimensions.push(`model=${call.model}`);
    for (const key in call.labels) {
      const value = call.labels[key];
      if (value !== undefined) dimensions.push(`label:${key}=${String(value)}`);
    }
    return dimensions;
  }

  /** The seed of `rule`'s current window: its identity, and per dimension of its scope the aggregate keys of that window. */
  seedOf(rule: BudgetRule, now: number): RuleSeed {
    const { config } = rule;
    const scope = Object.entries(config.scope).sort(([a], [b]) => (a < b ? -1 : 1));
    const dimensions =
      scope.length === 0 ? ['*'] : scope.map(([key, value]) => (key === 'provider' || key === 'model' ? `${key}=${value}` : `label:${key}=${value}`));
    const windows = this.#windowKeys(rule, now);
    const { counter, expiresAt } = rule.windowNow(now);
    return {
      seen: `${config.name}|${config.unit}|${config.window}|${config.credits?.since ?? ''}|${JSON.stringify(scope)}`,
      counter,
      expiresAt,
      unit: config.unit,
      from: dimensions.map((dimension) => windows.map((window) => `${window}|${dimension}`)),
    };
  }

  /** The aggregate windows whose sum covers (or overstates) `rule`'s window at `now`. */
  #windowKeys(rule: BudgetRule, now: number): string[] {
    const spec = parseWindow(rule.config.window);
    if (spec === undefined) return [];
    switch (spec.kind) {
      case 'calendar':
        return spec.unit === 'month'
          ? this.#keys('day', calendarWindow('month', now, this.#timeZone).start, now)
          : [calendarWindow(unitOf(spec.unit), now, this.#timeZone).key];
      case 'rolling':
        return this.#keys(spec.durationMs <= ROLLING_BY_HOURS_MS ? 'hour' : 'day', now - spec.durationMs, now);
      case 'total': {
        const since = rule.config.credits?.since;
        return since !== undefined && now - since < DAYS_KEPT_MS - DAY ? this.#keys('day', since, now) : ['total'];
      }
    }
  }

  /** The keys of every hour or day from the one holding `from` to the one holding `to`. */
  #keys(unit: 'hour' | 'day', from: number, to: number): string[] {
    const keys: string[] = [];
    for (let at = Math.min(from, to); ; ) {
      const window = calendarWindow(unit, at, this.#timeZone);
      keys.push(window.key);
      if (window.end > to) return keys;
      at = window.end;
    }
  }
}

/** Calls no rule held add to the window aggregates in one store operation this often, not one per call. */
const UNHELD_EVERY_MS = 1_000;

/** Scopes kept (provider, model and labels of the calls seen); past this the cache starts over rather than grow. */
const MAX_KEPT_SCOPES = 1024;

/** A call's scope dimensions and their joined key, the pending sum's name. */
interface Scope {
  dimensions: string[];
  key: string;
}

/** Where a provider and model, or a label after them, leads: the scope of calls that end there, and the steps of one more label, by name then value. */
interface ScopeStep {
  scope: Scope | undefined;
  labels: Map<string, Map<string, ScopeStep>> | undefined;
}

/** Calls no rule held, summed by their scope dimensions until the next store operation. */
interface Unheld {
  dimensions: string[];
  usd: number;
  tokens: number;
  requests: number;
}

/**
 * The aggregates of calls no rule held: summed in memory and written in
 * one store operation a second, so a rule added later counts them too,
 * at no store operation per call. A held call's commit carries its own;
 * each call is counted once, whichever comes first.
 *
 * @example
 * const unheld = new UnheldCalls(store, aggregates);
 * unheld.record(result); // written within a second, or by unheld.flush()
 */
export class UnheldCalls {
  readonly #store: CostStore;
  readonly #aggregates: WindowAggregates;
  readonly #counted = new WeakSet<CallResult>();
  readonly #pending = new Map<string, Unheld>();
  /** The scopes of calls seen, by provider, then model, then each label's name and value. */
  readonly #scopes = new Map<string, Map<string | undefined, ScopeStep>>();
  #keptScopes = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(store: CostStore, aggregates: WindowAggregates) {
    this.#store = store;
    this.#aggregates = aggregates;
  }

  /** True when `result` was counted here already; from now on it is held by its reservation's commit. */
  heldBy(result: CallResult): boolean {
    const counted = this.#counted.has(result);
    this.#counted.add(result);
    return counted;
  }

  /** Sums a finished call that no reservation counted; blocked calls used nothing. */
  record(result: CallResult): void {
    if (result.outcome === 'blocked' || this.#counted.has(result)) return;
    this.#counted.add(result);
    const { dimensions, key } = this.#scopeOf(result);
    let unheld = this.#pending.get(key);
    if (unheld === undefined) this.#pending.set(key, (unheld = { dimensions, usd: 0, tokens: 0, requests: 0 }));
    unheld.usd += result.cost?.usd ?? result.budgetUsd ?? 0;
    unheld.tokens += billedTokens(result);
    unheld.requests += 1;
    this.#timer ??= setTimeout(() => void this.flush(), UNHELD_EVERY_MS).unref();
  }

  /** The call's scope, found by a Map lookup per provider, model and label: no strings built per call. */
  #scopeOf(result: CallResult): Scope {
    const { provider, requestModel: model, labels } = result;
    let step = this.#scopes.get(provider)?.get(model);
    for (const name in labels) {
      if (step === undefined) break;
      const value = labels[name];
      if (value !== undefined) step = step.labels?.get(name)?.get(String(value));
    }
    return step?.scope ?? this.#keepScope(provider, model, labels);
  }

  #keepScope(provider: string, model: string | undefined, labels: CallResult['labels']): Scope {
    if (this.#keptScopes >= MAX_KEPT_SCOPES) {
      this.#scopes.clear();
      this.#keptScopes = 0;
    }
    let byModel = this.#scopes.get(provider);
    if (byModel === undefined) this.#scopes.set(provider, (byModel = new Map()));
    let step = byModel.get(model);
    if (step === undefined) byModel.set(model, (step = { scope: undefined, labels: undefined }));
    for (const name in labels) {
      const value = labels[name];
      if (value === undefined) continue;
      step.labels ??= new Map();
      let byValue = step.labels.get(name);
      if (byValue === undefined) step.labels.set(name, (byValue = new Map()));
      const text = String(value);
      let next = byValue.get(text);
      if (next === undefined) byValue.set(text, (next = { scope: undefined, labels: undefined }));
      step = next;
    }
    if (step.scope === undefined) {
      step.scope = scopeOf(this.#aggregates.dimensions({ provider, model, labels }));
      this.#keptScopes += 1;
    }
    return step.scope;
  }

  /** Writes what is summed; a synchronous store writes before this returns its promise (what `process.exit()` allows). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const now = Date.now();
    const windows = this.#aggregates.windowsAt(now);
    const aggregates: AggregateSpend[] = [];
    for (const { dimensions, usd, tokens, requests } of this.#pending.values()) aggregates.push({ windows, dimensions, usd, tokens, requests });
    this.#pending.clear();
    try {
      await this.#store.commit('aggregates', [], now, aggregates);
    } catch (error) {
      logger.warn('costctl could not add calls no rule held to its window aggregates: a rule added later will not count them', { error: String(error) });
    }
  }
}

function scopeOf(dimensions: string[]): Scope {
  return { dimensions, key: dimensions.join('\u0000') };
}

/** The aggregate a calendar window is answered from: itself, or for a minute its hour. */
function unitOf(unit: CalendarUnit): 'hour' | 'day' {
  return unit === 'day' ? 'day' : 'hour';
}
