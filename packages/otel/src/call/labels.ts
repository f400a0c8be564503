import { context, propagation, type Attributes } from '@opentelemetry/api';

/** Longest label value kept; a longer baggage value is cut, to bound series size. */
const MAX_VALUE_LENGTH = 128;

const none: Attributes = Object.freeze({});

/**
 * The allow-listed OTel baggage entries of the active context, as metric
 * labels. Only keys the config names can become labels, so an app cannot
 * create unbounded label keys by accident.
 *
 * @example
 * propagation.setBaggage(ctx, propagation.createBaggage({ tenant: { value: 'acme' } }));
 * readLabels(['tenant']); // { tenant: 'acme' } inside context.with(ctx, …)
 */
export function readLabels(keys: readonly string[]): Attributes {
  if (keys.length === 0) return none;
  const baggage = propagation.getBaggage(context.active());
  if (baggage === undefined) return none;
  const labels: Attributes = {};
  for (const key of keys) {
    const entry = baggage.getEntry(key);
    if (entry !== undefined) labels[key] = entry.value.slice(0, MAX_VALUE_LENGTH);
  }
  return labels;
}
