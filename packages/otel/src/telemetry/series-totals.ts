import type { Attributes, ObservableResult } from '@opentelemetry/api';

/**
 * Series kept per instrument at most; past this, new series add to one
 * overflow series. One under the SDK's default cardinality limit (2000), so
 * the overflow series is the last one that fits.
 */
export const MAX_SERIES = 1999;

/** The OTel convention for the series that takes what a cardinality limit turned away. */
const overflow: Attributes = Object.freeze({ 'otel.metric.overflow': true });

/**
 * Running totals of a monotonic counter, one per series, published at
 * collection through an observable counter. Adding to a series costs a Map
 * lookup by a key the caller already built; the attribute object is made
 * once per series, not once per call, and hashed by the SDK only when it
 * collects — not on the request path.
 *
 * @example
 * const requests = new SeriesTotals();
 * requests.add(key, () => ({ ...base, 'costctl.outcome': 'ok' }), 1);
 */
export class SeriesTotals {
  readonly #series = new Map<string, { attributes: Attributes; value: number }>();
  #overflow = 0;

  add(key: string, attributes: () => Attributes, value: number): void {
    const series = this.#series.get(key);
    if (series !== undefined) series.value += value;
    else if (this.#series.size < MAX_SERIES) this.#series.set(key, { attributes: attributes(), value });
    else this.#overflow += value;
  }

  observe(result: ObservableResult): void {
    for (const { attributes, value } of this.#series.values()) result.observe(value, attributes);
    if (this.#overflow > 0) result.observe(this.#overflow, overflow);
  }
}
