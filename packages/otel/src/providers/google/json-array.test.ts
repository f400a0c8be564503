import { describe, expect, it } from 'vitest';
import { JsonArraySplitter } from './json-array.js';

const utf8 = new TextEncoder();

function split(pieces: readonly (string | Uint8Array)[], maxElement?: number): unknown[] {
  const elements: unknown[] = [];
  const splitter = new JsonArraySplitter((element) => elements.push(JSON.parse(element)), maxElement);
  for (const piece of pieces) splitter.push(typeof piece === 'string' ? utf8.encode(piece) : piece);
  return elements;
}

describe('JsonArraySplitter', () => {
  it("splits Gemini's streamed array, CRLF separators and all", () => {
    expect(split(['[{\n  "a": 1\n}\n,\r\n{\n  "a": [2, {"b": 3}]\n}\n]'])).toEqual([{ a: 1 }, { a: [2, { b: 3 }] }]);
  });

  it('is not fooled by brackets, braces, commas and escaped quotes inside strings', () => {
    expect(split(['[{"t":"] } , [ {\\"x\\"}\\\\"},{"t":"ok"}]'])).toEqual([{ t: '] } , [ {"x"}\\' }, { t: 'ok' }]);
  });

  it('gives the same elements however the bytes are split, multi-byte characters included', () => {
    const bytes = utf8.encode('[{"t":"é😊你"},["x",{"y":"}"}],"bare",42,null]');
    const whole = split([bytes]);
    expect(whole).toEqual([{ t: 'é😊你' }, ['x', { y: '}' }], 'bare', 42, null]);
    for (let at = 0; at <= bytes.length; at += 1) expect(split([bytes.subarray(0, at), bytes.subarray(at)])).toEqual(whole);
    expect(split(Array.from(bytes, (byte) => new Uint8Array([byte])))).toEqual(whole);
  });

  it('emits each element as soon as it closes, before the array ends', () => {
    expect(split(['[{"a":1}', ',{"a":2'])).toEqual([{ a: 1 }]);
  });

  it('drops an element longer than the cap and keeps the next ones', () => {
    expect(split([`[{"t":"${'x'.repeat(100)}"},`, '{"t":"é"}]'], 50)).toEqual([{ t: 'é' }]);
  });

  it('emits nothing for a body that is not an array', () => {
    expect(split(['{"error":{"code":429}}'])).toEqual([]);
  });

  it('stops at the closing bracket', () => {
    expect(split(['[{"a":1}] [{"a":2}]'])).toEqual([{ a: 1 }]);
  });
});
