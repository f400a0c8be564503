import { MetricReader } from '@opentelemetry/sdk-metrics';
import { logger } from '../logger.js';

/**
 * The budget evaluator: an OTel MetricReader that collects on an interval
 * and on demand (`forceFlush`). Each collection runs the budget gauges'
 * callback, which reads every rule's window spend from the store, moves the
 * rule between levels and fires alerts on a change — off the hot path, so
 * a call never pays for walking series.
 *
 * @example
 * new MeterProvider({ readers: [new BudgetEvaluator(5_000)] });
 */
export class BudgetEvaluator extends MetricReader {
  readonly #intervalMillis: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(intervalMillis: number) {
    super();
    this.#intervalMillis = intervalMillis;
  }

  /** Collects now: every rule is evaluated, alerts fire for the levels that changed. */
  evaluate(): Promise<void> {
    // One evaluation at a time; a caller arriving mid-way waits for it.
    this.#running ??= this.collect()
      .then(({ errors }) => {
        for (const error of errors) logger.error('costctl budget evaluation failed', { error: String(error) });
      })
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  protected override onInitialized(): void {
    this.#timer = setInterval(() => void this.evaluate(), this.#intervalMillis).unref();
  }

  protected override async onForceFlush(): Promise<void> {
    await this.evaluate();
  }

  protected override async onShutdown(): Promise<void> {
    clearInterval(this.#timer);
  }
}
