import { logger } from '../model/logger.js';

/** How long after a settled call its evaluation waits, so a burst of calls is evaluated once. */
const SETTLED_DELAY_MS = 20;

/**
 * When budget rules are evaluated: every `intervalMillis`, shortly after
 * calls settle (`soon`, coalesced), and on demand (`evaluate`). Never
 * inside a metric collection: a Prometheus scrape or an OTLP export only
 * reads the last result, so it can neither move a level, nor trip the
 * gate, nor send an alert.
 *
 * @example
 * const evaluator = new BudgetEvaluator(() => levels.evaluate(), 2_000);
 * evaluator.start();
 */
export class BudgetEvaluator {
  readonly #run: () => Promise<unknown>;
  readonly #intervalMillis: number;
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Timeout | undefined;
  /** The last evaluation asked for; evaluations run one at a time, in order. */
  #tail: Promise<void> = Promise.resolve();
  /** An evaluation asked for that has not started yet: it serves every caller until it starts. */
  #pending: Promise<void> | undefined;
  #failing = false;
  #stopped = false;

  constructor(run: () => Promise<unknown>, intervalMillis: number) {
    this.#run = run;
    this.#intervalMillis = intervalMillis;
  }

  /** Evaluates now, then every interval. */
  start(): void {
    this.#timer = setInterval(() => void this.evaluate(), this.#intervalMillis).unref();
    void this.evaluate();
  }

  /**
   * Evaluates, and resolves once an evaluation that started after this call
   * has ended: what it returns reflects every call settled before it.
   */
  evaluate(): Promise<void> {
    if (this.#pending !== undefined) return this.#pending;
    const pending = this.#tail.then(() => {
      this.#pending = undefined;
      return this.#once();
    });
    this.#pending = pending;
    this.#tail = pending;
    return pending;
  }

  /** A call settled: evaluate shortly, once for however many settle meanwhile. No I/O here, on the call's path. */
  soon(): void {
    if (this.#soon !== undefined || this.#stopped) return;
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      void this.evaluate();
    }, SETTLED_DELAY_MS).unref();
  }

  /**
   * Stops the schedule; resolves once the evaluation under way, if any, has
   * ended. Calls settled since the last evaluation are evaluated first, so a
   * refusal or a level reached just before shutdown is still announced.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    const settled = this.#soon !== undefined;
    clearTimeout(this.#soon);
    this.#soon = undefined;
    if (settled) await this.evaluate();
    await this.#tail;
  }

  async #once(): Promise<void> {
    try {
      await this.#run();
      if (this.#failing) logger.info('costctl budget evaluation works again');
      this.#failing = false;
    } catch (error) {
      // The store has said why, and the gate shows it; one line per outage, not one per evaluation.
      if (!this.#failing) logger.error('costctl could not evaluate budgets', { error: String(error) });
      this.#failing = true;
    }
  }
}
