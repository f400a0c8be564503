/**
 * The values each enumerated setting allows, and the shape of a label key:
 * read by the environment's parser on every start, and by the config file's
 * schema, which is built only when a file or overrides are validated.
 */
export const exporters = ['prometheus', 'otlp', 'console', 'none'] as const;
export const ruleActions = ['alert', 'block', 'trip'] as const;
export const ruleUnits = ['usd', 'tokens', 'requests'] as const;
export const storeKinds = ['memory', 'file', 'redis'] as const;
export const unreachableModes = ['closed', 'open'] as const;
export const unknownModelModes = ['estimate', 'block'] as const;

export { BLOCK_MODES as blockModes } from '../model/block-mode.js';

/** OTel baggage keys that may become metric labels: short, Prometheus-safe. */
export const LABEL_KEY = /^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/;

/**
 * True when `value` is one of `allowed`.
 *
 * @example
 * isOneOf(exporters, 'otlp') // true
 */
export function isOneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return (allowed as readonly string[]).includes(value);
}
