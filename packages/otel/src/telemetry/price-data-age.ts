import type { Meter } from '@opentelemetry/api';
import { Attr, Metric } from '../model/otel-names.js';

/** The price data in use, as the gauge reads it at each collection. */
export interface PriceDataAge {
  /** `bundled` or `state_dir`. */
  source: string;
  /** When the data was current, ISO 8601. */
  asOf: string;
}

/**
 * Registers `costctl.price_data.age`: seconds since the price data in use
 * was current, labelled with where it came from, so an alert can tell
 * stale prices before a bill does. A source no longer in use reads NaN:
 * the exporter keeps every series it has seen, and its last age would
 * otherwise stay frozen (and an alert on it firing) after an update.
 *
 * @example
 * registerPriceDataAgeGauge(meter, () => activePriceData());
 */
export function registerPriceDataAgeGauge(meter: Meter, inUse: () => PriceDataAge): void {
  const used = new Set<string>();
  meter.createObservableGauge(Metric.priceDataAge, { description: 'Seconds since the price data in use was current', unit: 's' }).addCallback((result) => {
    const data = inUse();
    const asOf = Date.parse(data.asOf);
    used.add(data.source);
    for (const source of used) {
      const age = source === data.source && !Number.isNaN(asOf) ? Math.max(0, Math.round((Date.now() - asOf) / 1000)) : Number.NaN;
      result.observe(age, { [Attr.priceSource]: source });
    }
  });
}
