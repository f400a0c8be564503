/**
 * Reads a few top-level members of a JSON object's text without parsing the
 * rest: an answer's `usage` sits at its end, its `model` and `id` at its
 * start, and the generated text (most of the bytes) in between.
 */
import type { JsonRecord } from './wire-values.js';

/**
 * The members `keys` of the JSON object `text`, read from its two ends: the
 * scalar members before its first object or array value, and the members
 * from the last `"anchor":` to the object's end. The part in between is not
 * parsed; a key of `keys` not read at the ends must not occur in it at all.
 * Undefined whenever that cannot be shown (the anchor missing or nested, a
 * key in the middle, an escaped key, text that is not one object): then
 * parse the whole body. A key absent from the result is absent from the body.
 *
 * @example
 * topLevelMembers('{"id":"c1","choices":[{"text":"hi"}],"usage":{"prompt_tokens":3}}', 'usage', ['id', 'usage'])
 * // { id: 'c1', usage: { prompt_tokens: 3 } }
 */
export function topLevelMembers(text: string, anchor: string, keys: readonly string[]): JsonRecord | undefined {
  const first = skipSpace(text, 0);
  const last = lastNonSpace(text);
  if (text.charCodeAt(first) !== OPEN_BRACE || text.charCodeAt(last) !== CLOSE_BRACE || last <= first) return undefined;
  const found: JsonRecord = {};

  // From the start: scalar members, up to the first member whose value nests.
  let at = skipSpace(text, first + 1);
  if (text.charCodeAt(at) === CLOSE_BRACE) return at === last ? found : undefined;
  let middle = -1;
  for (;;) {
    // Read in place: no key or member is allocated for the members not wanted.
    const valueStart = memberValueStart(text, at);
    if (valueStart === -1) return undefined;
    const keyEnd = memberKeyEnd;
    const c = text.charCodeAt(valueStart);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      middle = at;
      break;
    }
    const end = c === QUOTE ? stringEnd(text, valueStart) : literalEnd(text, valueStart);
    if (end === -1) return undefined;
    const key = wantedKey(text, at + 1, keyEnd - 1, keys);
    if (key !== undefined && !take(found, key, text, valueStart, end, c === QUOTE && !sawEscape)) return undefined;
    at = skipSpace(text, end);
    const next = text.charCodeAt(at);
    if (next === CLOSE_BRACE) return at === last ? found : undefined;
    if (next !== COMMA) return undefined;
    at = skipSpace(text, at + 1);
  }

  // From the last "anchor": every member to the end, which must close the object the text is.
  const anchorAt = text.lastIndexOf(`"${anchor}"`, last);
  if (anchorAt < middle || escaped(text, anchorAt)) return undefined;
  // Before it, back to the first value that nests: its scalar members (an embeddings answer names its model there).
  let tail = anchorAt;
  for (;;) {
    const start = scalarBefore(text, tail);
    if (start <= middle) break;
    tail = start;
  }
  // Those and the members from the anchor on parse as one object only if the anchor is a member of the top-level one.
  let ends: JsonRecord;
  try {
    ends = JSON.parse(`{${text.slice(tail, last + 1)}`) as JsonRecord;
  } catch {
    return undefined;
  }
  for (const key of keys) if (Object.hasOwn(ends, key)) found[key] = ends[key];

  // A key read at neither end is absent only if its quoted name occurs nowhere in between (text inside strings has its quotes escaped).
  for (const key of keys) {
    if (Object.hasOwn(found, key)) continue;
    const seen = text.indexOf(`"${key}"`, middle);
    if (seen !== -1 && seen < tail) return undefined;
  }
  return found;
}

/**
 * The members `keys` of the JSON object `text` when each is a string,
 * number or literal at its top level, read in one pass that steps over every
 * nested value (whose strings it skips by their quotes) without parsing it.
 * Undefined whenever it cannot tell: a wanted key with a nested value, an
 * escaped key, nesting deeper than 31, text that is not one object. Nested
 * values and the scalars not wanted are checked for their brackets and
 * quotes only, not parsed: a body JSON.parse would refuse in them may still
 * answer. A key absent from the result is absent from the top level.
 *
 * @example
 * topLevelScalars('{"messages":[{"role":"user","content":"Hi"}],"model":"m","max_tokens":9}', ['model', 'max_tokens'])
 * // { model: 'm', max_tokens: 9 }
 */
export function topLevelScalars(text: string, keys: readonly string[]): JsonRecord | undefined {
  let at = skipSpace(text, 0);
  if (text.charCodeAt(at) !== OPEN_BRACE) return undefined;
  const found: JsonRecord = {};
  at = skipSpace(text, at + 1);
  if (text.charCodeAt(at) === CLOSE_BRACE) return skipSpace(text, at + 1) === text.length ? found : undefined;
  for (;;) {
    const valueStart = memberValueStart(text, at);
    if (valueStart === -1) return undefined;
    const keyEnd = memberKeyEnd;
    const c = text.charCodeAt(valueStart);
    const key = wantedKey(text, at + 1, keyEnd - 1, keys);
    let end: number;
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (key !== undefined) return undefined;
      end = nestedEnd(text, valueStart);
    } else if (key === undefined) end = c === QUOTE ? quotedEnd(text, valueStart) : validLiteralEnd(text, valueStart);
    else {
      end = c === QUOTE ? stringEnd(text, valueStart) : literalEnd(text, valueStart);
      if (end !== -1 && !take(found, key, text, valueStart, end, c === QUOTE && !sawEscape)) return undefined;
    }
    if (end === -1) return undefined;
    at = skipSpace(text, end);
    const next = text.charCodeAt(at);
    if (next === CLOSE_BRACE) return skipSpace(text, at + 1) === text.length ? found : undefined;
    if (next !== COMMA) return undefined;
    at = skipSpace(text, at + 1);
  }
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * Where the key of the member before the one whose key opens at `next`
 * opens, when its value is a string, number or literal; -1 when it nests,
 * or when there is none.
 */
function scalarBefore(text: string, next: number): number {
  const comma = lastNonSpaceBefore(text, next);
  if (text.charCodeAt(comma) !== COMMA) return -1;
  const valueLast = lastNonSpaceBefore(text, comma);
  let valueStart: number;
  const c = text.charCodeAt(valueLast);
  if (c === QUOTE) valueStart = openingQuote(text, valueLast);
  else {
    valueStart = valueLast;
    while (valueStart > 0 && isLiteralChar(text.charCodeAt(valueStart - 1))) valueStart -= 1;
    if (!isLiteralChar(c)) return -1;
  }
  if (valueStart <= 0) return -1;
  const colon = lastNonSpaceBefore(text, valueStart);
  if (text.charCodeAt(colon) !== COLON) return -1;
  const keyLast = lastNonSpaceBefore(text, colon);
  if (text.charCodeAt(keyLast) !== QUOTE) return -1;
  return openingQuote(text, keyLast);
}

/** The unescaped quote that opens the string whose closing quote is at `close`, or -1. */
function openingQuote(text: string, close: number): number {
  for (let i = close - 1; i >= 0; i -= 1) if (text.charCodeAt(i) === QUOTE && !escaped(text, i)) return i;
  return -1;
}

/** A character of a number, `true`, `false` or `null`. */
function isLiteralChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45;
}

function lastNonSpaceBefore(text: string, at: number): number {
  let i = at - 1;
  while (i >= 0 && isSpace(text.charCodeAt(i))) i -= 1;
  return i;
}

/** The key of `keys` that the text between `start` and `end` spells, or undefined. */
function wantedKey(text: string, start: number, end: number, keys: readonly string[]): string | undefined {
  for (const key of keys) if (key.length === end - start && text.startsWith(key, start)) return key;
  return undefined;
}

/** Keeps a wanted member's value (the last of a repeated key, as JSON.parse does); false when it does not parse. */
function take(found: JsonRecord, key: string, text: string, start: number, end: number, plainString: boolean): boolean {
  // A string without escapes is its own text.
  if (plainString) {
    found[key] = text.slice(start + 1, end - 1);
    return true;
  }
  try {
    found[key] = JSON.parse(text.slice(start, end));
    return true;
  } catch {
    return false;
  }
}

/** True when the quote at `at` is escaped (an odd run of backslashes before it): inside a string. */
function escaped(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && text.charCodeAt(i) === BACKSLASH) i -= 1;
  return (at - 1 - i) % 2 === 1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (i < text.length && isSpace(text.charCodeAt(i))) i += 1;
  return i;
}

function lastNonSpace(text: string): number {
  let i = text.length - 1;
  while (i >= 0 && isSpace(text.charCodeAt(i))) i -= 1;
  return i;
}

/** Whether the string `stringEnd` last read holds an escape. */
/** Where the key read by the last `memberValueStart` ends (after its closing quote): module state, so no member is allocated. */
let memberKeyEnd = -1;

/**
 * Where the value of the member whose key opens at `at` starts, or -1 when
 * no plain key and colon are there (an escaped key could spell a wanted
 * one: that is left to JSON.parse). Sets `memberKeyEnd`.
 */
function memberValueStart(text: string, at: number): number {
  if (text.charCodeAt(at) !== QUOTE) return -1;
  const keyEnd = stringEnd(text, at);
  if (keyEnd === -1 || sawEscape) return -1;
  const colon = skipSpace(text, keyEnd);
  if (text.charCodeAt(colon) !== COLON) return -1;
  memberKeyEnd = keyEnd;
  return skipSpace(text, colon + 1);
}

let sawEscape = false;

/** The index after the string opening at `start`, or -1; sets `sawEscape`. */
function stringEnd(text: string, start: number): number {
  sawEscape = false;
  for (let i = start + 1; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) {
      sawEscape = true;
      i += 1;
    } else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/** The index after the string opening at `start`, found by its closing quote alone (a long prompt is skipped at the speed of indexOf), or -1. */
function quotedEnd(text: string, start: number): number {
  let i = start;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i === -1) return -1;
    if (!escaped(text, i)) return i + 1;
  }
}

/** The index after the number, `true`, `false` or `null` at `start` when it is spelled as JSON spells it, or -1. */
function validLiteralEnd(text: string, start: number): number {
  const end = literalEnd(text, start);
  if (end === -1) return -1;
  const length = end - start;
  if (length === 4 && (text.startsWith('true', start) || text.startsWith('null', start))) return end;
  if (length === 5 && text.startsWith('false', start)) return end;
  return numberEnd(text, start) === end ? end : -1;
}

/** The index after the JSON number at `start` (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`), or -1. */
function numberEnd(text: string, start: number): number {
  let i = start;
  if (text.charCodeAt(i) === 0x2d) i += 1;
  if (text.charCodeAt(i) === 0x30) i += 1;
  else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i += 1;
  else return -1;
  if (text.charCodeAt(i) === 0x2e) {
    i += 1;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (isDigit(text.charCodeAt(i))) i += 1;
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i += 1;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b || sign === 0x2d) i += 1;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (isDigit(text.charCodeAt(i))) i += 1;
  }
  return i;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Levels of nesting `nestedEnd` follows: one bit each says whether the level is an array. */
const MAX_NESTING = 31;

/** The index after the object or array opening at `start`, its brackets matched in kind, or -1. */
function nestedEnd(text: string, start: number): number {
  let depth = 0;
  let arrays = 0;
  for (let i = start; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = quotedEnd(text, i);
      if (end === -1) return -1;
      i = end - 1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === MAX_NESTING) return -1;
      arrays = c === OPEN_BRACKET ? arrays | (1 << depth) : arrays & ~(1 << depth);
      depth += 1;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth -= 1;
      if (depth < 0 || (c === CLOSE_BRACKET) !== ((arrays >>> depth) & 1) > 0) return -1;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** The index after the number, `true`, `false` or `null` at `start`, or -1 (JSON.parse judges its spelling). */
function literalEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET) break;
    i += 1;
  }
  return i === start ? -1 : i;
}
