import type { Attributes } from '@opentelemetry/api';
import type { RuleConfig } from '../config/schema.js';
import type { CounterEntry } from '../store/types.js';
import { ConfigError } from '../model/errors.js';
import { ROLLING_BUCKETS, calendarWindow, parseWindow, rollingBucket, type WindowSpec } from '../model/windows.js';

/** What a rule's scope is matched against. */
export interface CallScope {
  provider: string;
  model: string | undefined;
  labels: Attributes;
}

/** Where a rule's spend is counted right now. */
export interface RuleWindow {
  /** The counter a call made now adds to. */
  counter: string;
  /** The counters whose sum is the window's spend. */
  window: readonly string[];
  expiresAt: number;
}

type CachedWindow = RuleWindow & { validFrom: number; validUntil: number };

/**
 * A budget rule ready for the hot path: its window parsed once, and the
 * counter keys of its current window cached until that window moves on.
 */
export class BudgetRule {
  readonly config: RuleConfig;
  readonly #spec: WindowSpec;
  readonly #timeZone: string;
  readonly #scope: [string, string][];
  #current: CachedWindow = { counter: '', window: [], expiresAt: 0, validFrom: Infinity, validUntil: -Infinity };
  /** The latest time a rolling window counted calls at. */
  #latest = -Infinity;

  constructor(config: RuleConfig, timeZone: string) {
    const spec = parseWindow(config.window);
    if (spec === undefined)
      throw new ConfigError(
        [
          {
            key: `rules[${config.name}].window`,
            value: config.window,
            expected: 'minute, hour, day, month, total, or rolling:<n><s|m|h|d> such as rolling:15m',
          },
        ],
        'budget rules',
      );
    this.config = config;
    this.#spec = spec;
    this.#timeZone = timeZone;
    this.#scope = Object.entries(config.scope);
  }

  get name(): string {
    return this.config.name;
  }

  /** True when every scope entry matches the call. */
  matches(call: CallScope): boolean {
    for (const [key, value] of this.#scope) {
      const actual = key === 'provider' ? call.provider : key === 'model' ? call.model : call.labels[key];
      if (actual !== value) return false;
    }
    return true;
  }

  /** The counters of the window containing `at`; the same object until the window moves. */
  windowAt(at: number): RuleWindow {
    // A clock moved back lands outside [validFrom, validUntil) too, and recomputes.
    if (at >= this.#current.validFrom && at < this.#current.validUntil) return this.#current;
    this.#current = this.#compute(at);
    return this.#current;
  }

  /**
   * The window calls made `now` count in. Calendar windows follow the wall
   * clock, as a bill does. A rolling window never goes back in time: after
   * the clock is set back, it stays where it was until the clock catches
   * up, so spend counted in its newest buckets is never forgotten (a budget
   * may be held longer, never overspent).
   */
  windowNow(now: number): RuleWindow {
    if (this.#spec.kind !== 'rolling') return this.windowAt(now);
    this.#latest = Math.max(now, this.#latest);
    return this.windowAt(this.#latest);
  }

  /**
   * When the window containing `now` frees its spend: a calendar window's
   * end; for a rolling window, the instant by which all spend counted now
   * has left it; undefined for `total`, which never resets.
   */
  resetsAt(now: number): number | undefined {
    switch (this.#spec.kind) {
      case 'total':
        return undefined;
      case 'calendar':
        return this.windowNow(now).expiresAt;
      case 'rolling':
        return Math.max(now, this.#latest) + this.#spec.durationMs;
    }
  }

  /** The entry reserving `amount` against this rule, now. */
  entry(amount: number, now: number): CounterEntry {
    const { counter, window, expiresAt } = this.windowNow(now);
    return { counter, window, amount, limit: this.config.action === 'alert' ? undefined : this.config.limit, expiresAt };
  }

  #compute(now: number): CachedWindow {
    const prefix = `${this.config.name}|`;
    switch (this.#spec.kind) {
      case 'total': {
        // A prepaid balance bought on another date is another balance: its own counter.
        const since = this.config.credits?.since;
        const key = since === undefined ? `${prefix}total` : `${prefix}since:${new Date(since).toISOString()}`;
        return { counter: key, window: [key], expiresAt: Infinity, validFrom: -Infinity, validUntil: Infinity };
      }
      case 'calendar': {
        const { key, start, end } = calendarWindow(this.#spec.unit, now, this.#timeZone);
        return { counter: prefix + key, window: [prefix + key], expiresAt: end, validFrom: start, validUntil: end };
      }
      case 'rolling': {
        const { durationMs } = this.#spec;
        const { bucketMs, index, oldest } = rollingBucket(durationMs, now);
        const key = (i: number) => `${prefix}rolling:${durationMs}:${i}`;
        const window: string[] = [];
        for (let i = oldest; i <= index; i++) window.push(key(i));
        // A bucket counts until the window has slid past it.
        return {
          counter: key(index),
          window,
          expiresAt: (index + ROLLING_BUCKETS) * bucketMs,
          validFrom: index * bucketMs,
          validUntil: (index + 1) * bucketMs,
        };
      }
    }
  }
}
