import type { HeaderLookup } from '../types.js';
import { isRecord } from '../wire-values.js';

/**
 * A count of units as an API writes it: a finite number of at least zero,
 * or such a number in a string (header values always are); an array counts
 * its items. Anything else is no count.
 *
 * @example
 * unitCount('12.5') // 12.5
 * unitCount([{ id: 1 }, { id: 2 }]) // 2
 * unitCount('n/a') // undefined
 */
export function unitCount(value: unknown): number | undefined {
  if (Array.isArray(value)) return value.length;
  const count = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof count === 'number' && Number.isFinite(count) && count >= 0 ? count : undefined;
}

/**
 * The value at a dotted path of parsed JSON (`usage.characters`,
 * `results.0.duration`); numeric segments index arrays.
 *
 * @example
 * valueAt({ usage: { characters: 42 } }, ['usage', 'characters']) // 42
 */
export function valueAt(value: unknown, path: readonly string[]): unknown {
  let at = value;
  for (const key of path) {
    if (Array.isArray(at) && /^\d+$/.test(key)) at = at[Number(key)];
    else if (isRecord(at) && Object.hasOwn(at, key)) at = at[key];
    else return undefined;
  }
  return at;
}

/**
 * The units a header reports, read once when the response starts (the
 * lookup is only valid then).
 *
 * @example
 * headerCount((name) => (name === 'x-audio-seconds' ? '31.2' : undefined), 'x-audio-seconds') // 31.2
 */
export function headerCount(header: HeaderLookup | undefined, name: string): number | undefined {
  return unitCount(header?.(name.toLowerCase()));
}
