import { describe, expect, it } from 'vitest';
import { JsonLinesDecoder } from './json-lines.js';

function linesOf(pieces: readonly (string | Uint8Array)[], maxLine?: number): { lines: string[]; dropped: number } {
  const lines: string[] = [];
  const decoder = new JsonLinesDecoder((line) => lines.push(line), maxLine);
  for (const piece of pieces) decoder.push(typeof piece === 'string' ? new TextEncoder().encode(piece) : piece);
  decoder.end();
  return { lines, dropped: decoder.dropped };
}

describe('JsonLinesDecoder', () => {
  it('splits at LF, CRLF and a lone CR, skipping empty lines', () => {
    expect(linesOf(['{"a":1}\n\n{"b":2}\r\n{"c":3}\r{"d":4}\n']).lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}']);
  });

  it('keeps a line split across chunks, a CRLF split between two, and a character split between two', () => {
    const bytes = new TextEncoder().encode('{"text":"héllo €"}\r\n{"n":2}\n');
    for (let at = 0; at <= bytes.length; at++) {
      expect(linesOf([bytes.subarray(0, at), bytes.subarray(at)]).lines).toEqual(['{"text":"héllo €"}', '{"n":2}']);
    }
  });

  it('delivers a last line that has no line end', () => {
    expect(linesOf(['{"a":1}\n{"b":2}']).lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('drops and counts a line past the cap, and reads the next one', () => {
    expect(linesOf(['{"long":"', 'x'.repeat(50), '"}\n{"ok":1}\n'], 20)).toEqual({ lines: ['{"ok":1}'], dropped: 1 });
  });

  it('goes on after a listener throws', () => {
    const lines: string[] = [];
    const decoder = new JsonLinesDecoder((line) => {
      lines.push(line);
      throw new Error('listener bug');
    });
    decoder.push(new TextEncoder().encode('1\n2\n'));
    decoder.end();
    expect(lines).toEqual(['1', '2']);
  });
});
