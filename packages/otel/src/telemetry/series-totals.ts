import type { Attributes, ObservableResult } from '@opentelemetry/api';

/**
 * Series kept per instrument at most; past this, new series add to one
 * overflow series. One under the SDK's default cardinality limit (2000), so
 * the overflow series is the last one that fits.
 */
export const MAX_SERIES = 1999;

/** The OTel convention for the series that takes what a cardinality limit turned away. */
const overflow: Attributes = Object.freeze({ 'otel.metric.overflow': true });

/** One series' running total: a caller that keeps it adds to `value` with no lookup at all. */
export interface SeriesTotal {
  readonly attributes: Attributes;
  value: number;
}

/**
 * Running totals of a monotonic counter, one per series, published at
 * collection through an observable counter. Adding to a series costs a Map
 * lookup by a key the caller already built, or nothing for a caller that
 * keeps the series' total (`total`); the attribute object is made once per
 * series, not once per call, and hashed by the SDK only when it collects —
 * not on the request path.
 *
 * @example
 * const requests = new SeriesTotals();
 * requests.add(key, () => ({ ...base, 'costctl.outcome': 'ok' }), 1);
 * const ok = requests.total(key, () => ({ ...base, 'costctl.outcome': 'ok' }));
 * ok.value += 1;
 */
export class SeriesTotals {
  readonly #series = new Map<string, SeriesTotal>();
  /** Where series past the bound add; a series turned away once is turned away for good, as the map never shrinks. */
  readonly #overflow: SeriesTotal = { attributes: overflow, value: 0 };

  add(key: string, attributes: () => Attributes, value: number): void {
    this.total(key, attributes).value += value;
  }

  /** The total of the series `key`, made (with value 0) on first use; past the bound, the overflow series' total. */
  total(key: string, attributes: () => Attributes): SeriesTotal {
    let series = this.#series.get(key);
    if (series !== undefined) return series;
    if (this.#series.size >= MAX_SERIES) return this.#overflow;
    series = { attributes: attributes(), value: 0 };
    this.#series.set(key, series);
    return series;
  }

  observe(result: ObservableResult): void {
    for (const { attributes, value } of this.#series.values()) result.observe(value, attributes);
    if (this.#overflow.value > 0) result.observe(this.#overflow.value, overflow);
  }
}
