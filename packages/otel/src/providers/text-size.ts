/**
 * How much text a request or response body carries, for token estimates when
 * the provider's own count is missing.
 */

/** The usual characters-per-token ratio of English text for GPT and Claude tokenizers. */
export const CHARS_PER_TOKEN = 4;

// Keys whose string values are text the model reads or writes, in either provider's shapes.
const TEXT_KEYS: ReadonlySet<string> = new Set(['content', 'text', 'arguments', 'refusal', 'thinking', 'output']);

// Deeper nesting than real message shapes have: stop instead of recursing without bound.
const MAX_DEPTH = 8;

/** Tokens for a number of characters (rounded up; 0 for a bad count). */
export function tokensFromChars(chars: number): number {
  return Number.isFinite(chars) && chars > 0 ? Math.ceil(chars / CHARS_PER_TOKEN) : 0;
}

/**
 * Characters of text in a message-shaped value: a string, an array of strings
 * or parts, or objects whose `content`/`text`/`arguments`/… hold them. Image
 * URLs, ids, roles and other fields are not counted.
 *
 * @example
 * textLength([{ role: 'user', content: [{ type: 'text', text: 'Hi!' }] }]) // 3
 */
export function textLength(value: unknown): number {
  return lengthOf(value, true, 0);
}

function lengthOf(value: unknown, counted: boolean, depth: number): number {
  if (typeof value === 'string') return counted ? value.length : 0;
  if (depth >= MAX_DEPTH || typeof value !== 'object' || value === null) return 0;
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) total += lengthOf(item, counted, depth + 1);
    return total;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (Object.hasOwn(record, key)) total += lengthOf(record[key], TEXT_KEYS.has(key), depth + 1);
  return total;
}
