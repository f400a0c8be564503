/** The cloud fakes' token accounting, on the same rules as the OpenAI/Anthropic fake (see `usage.ts`). */
import { CANNED_REPLY } from '../usage.js';

const WORDS: readonly string[] = CANNED_REPLY.split(' ');

/**
 * The reply to a request whose output cap is `limit`: the first
 * `min(24, limit)` words of {@link CANNED_REPLY}, one word per output token
 * (all 24 when the cap is missing or not a number).
 *
 * @example
 * cannedWords(3) // ['This', 'reply', 'comes']
 */
export function cannedWords(limit: unknown): readonly string[] {
  return typeof limit === 'number' && Number.isFinite(limit) ? WORDS.slice(0, Math.max(0, Math.floor(limit))) : WORDS;
}

/**
 * True when a reply of `words` stops before the end of {@link CANNED_REPLY}.
 *
 * @example
 * isCut(cannedWords(5)) // true
 */
export function isCut(words: readonly string[]): boolean {
  return words.length < WORDS.length;
}

/**
 * Input tokens for `chars` characters of text: `ceil(chars / 4)`.
 *
 * @example
 * textTokens(9) // 3
 */
export function textTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/**
 * Characters of the `text` of each part: Gemini's `parts`, Converse's content blocks.
 *
 * @example
 * partsChars([{ text: 'abc' }, { image: {} }, { text: 'de' }]) // 5
 */
export function partsChars(parts: unknown): number {
  if (!Array.isArray(parts)) return 0;
  let chars = 0;
  for (const part of parts) {
    const text = typeof part === 'object' && part !== null ? (part as Record<string, unknown>)['text'] : undefined;
    if (typeof text === 'string') chars += text.length;
  }
  return chars;
}

/**
 * The `key` member of each object of a list (`contents[].parts`, `messages[].content`).
 *
 * @example
 * eachMember([{ parts: [1] }, 'x'], 'parts') // [[1], undefined]
 */
export function eachMember(list: unknown, key: string): unknown[] {
  return Array.isArray(list) ? list.map((item) => (typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[key] : undefined)) : [];
}

/**
 * Splits a reply into stream deltas of `size` words, each but the first starting with its space.
 *
 * @example
 * wordDeltas(['a', 'b', 'c'], 2) // ['a b', ' c']
 */
export function wordDeltas(words: readonly string[], size: number): string[] {
  const deltas: string[] = [];
  for (let i = 0; i < words.length; i += size) deltas.push(`${i === 0 ? '' : ' '}${words.slice(i, i + size).join(' ')}`);
  return deltas;
}
