import type { Attributes, Histogram } from '@opentelemetry/api';

/** Points held at most before they are recorded on the spot: memory stays bounded if nothing collects. */
const MAX_PENDING = 4096;

/**
 * Histogram points waiting for the next collection. Recording a point makes
 * the SDK hash its labels; done at collection (from an observable callback,
 * which the SDK runs before it reads the histograms' storage), that work
 * leaves the request path.
 *
 * @example
 * const points = new PendingPoints(histogram);
 * points.add(0.42, attributes); // on the request path: two array pushes
 * points.flush(); // at collection: histogram.record(0.42, attributes)
 */
export class PendingPoints {
  readonly #histogram: Histogram;
  #values: number[] = [];
  #attributes: Attributes[] = [];

  constructor(histogram: Histogram) {
    this.#histogram = histogram;
  }

  add(value: number, attributes: Attributes): void {
    this.#values.push(value);
    this.#attributes.push(attributes);
    if (this.#values.length >= MAX_PENDING) this.flush();
  }

  flush(): void {
    const values = this.#values;
    if (values.length === 0) return;
    const attributes = this.#attributes;
    // Swapped out first: a throw below must not record a point twice.
    this.#values = [];
    this.#attributes = [];
    for (let i = 0; i < values.length; i++) this.#histogram.record(values[i]!, attributes[i]);
  }
}
