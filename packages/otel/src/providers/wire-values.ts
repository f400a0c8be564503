/**
 * Safe reads from parsed JSON of unknown shape: a wrong type reads as absent,
 * so no NaN or negative count ever leaves a provider reader.
 */

/** A JSON object, as opposed to an array, null or a primitive. */
export type JsonRecord = Record<string, unknown>;

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object under `key`, or undefined. */
export function recordAt(record: JsonRecord | undefined, key: string): JsonRecord | undefined {
  const value = record?.[key];
  return isRecord(value) ? value : undefined;
}

/** The string under `key`, or undefined. */
export function stringAt(record: JsonRecord | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A token count: a finite, non-negative, safe integer number (rounded), else
 * undefined — `"12"`, `-3`, `NaN` and `1e300` are all "absent".
 *
 * @example
 * toCount(12) // 12
 * toCount('12') // undefined
 */
export function toCount(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  const count = Math.round(value);
  return count <= Number.MAX_SAFE_INTEGER ? count : undefined;
}

/** The token count under `key`, or undefined. */
export function countAt(record: JsonRecord | undefined, key: string): number | undefined {
  return toCount(record?.[key]);
}

/** JSON.parse that answers undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
