/**
 * Reads one field out of the end of a JSON document whose beginning was cut
 * off (a body too large to keep whole), without parsing the rest.
 */
import { parseJson } from './wire-values.js';

const LITERAL = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/;

/**
 * The value of the last `"key": value` in `text` that parses, or undefined.
 *
 * @example
 * lastValueOf('…0.12]}],"model":"m","usage":{"prompt_tokens":8}}', 'usage') // { prompt_tokens: 8 }
 */
export function lastValueOf(text: string, key: string): unknown {
  const quoted = `"${key}"`;
  for (let at = text.lastIndexOf(quoted); at !== -1; at = at === 0 ? -1 : text.lastIndexOf(quoted, at - 1)) {
    // A quote escaped inside a string is not the start of a key.
    if (at > 0 && text.charCodeAt(at - 1) === 0x5c) continue;
    const start = valueStart(text, at + quoted.length);
    if (start === -1) continue;
    const end = valueEnd(text, start);
    if (end === -1) continue;
    const value = parseJson(text.slice(start, end));
    if (value !== undefined) return value;
  }
  return undefined;
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i += 1;
  return i;
}

function valueStart(text: string, afterKey: number): number {
  const colon = skipSpace(text, afterKey);
  if (text[colon] !== ':') return -1;
  const start = skipSpace(text, colon + 1);
  return start < text.length ? start : -1;
}

function valueEnd(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return stringEnd(text, start);
  if (first === '{' || first === '[') return nestedEnd(text, start);
  const literal = LITERAL.exec(text.slice(start, start + 32));
  return literal === null ? -1 : start + literal[0].length;
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i += 1) {
    const c = text[i];
    if (c === '\\') i += 1;
    else if (c === '"') return i + 1;
  }
  return -1;
}

function nestedEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end === -1) return -1;
      i = end - 1;
    } else if (c === '{' || c === '[') {
      depth += 1;
    } else if (c === '}' || c === ']') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
