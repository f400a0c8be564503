import { describe, expect, it } from 'vitest';
import { JsonBodyCollector } from './json-body.js';

const utf8 = new TextEncoder();

function collect(chunks: readonly (string | Uint8Array)[], maxBytes?: number, tailChars?: number) {
  const body = new JsonBodyCollector(maxBytes, tailChars);
  for (const chunk of chunks) body.push(typeof chunk === 'string' ? utf8.encode(chunk) : chunk);
  return body.finish();
}

describe('JsonBodyCollector', () => {
  it('parses a body that arrived in pieces', () => {
    expect(collect(['{"usage":', '{"prompt_tokens":3}}'])).toEqual({
      value: { usage: { prompt_tokens: 3 } },
      tooLarge: false,
      byteLength: 29,
      tail: '',
    });
  });

  it('decodes UTF-8 split across chunks', () => {
    const bytes = utf8.encode('{"text":"你好 😊"}');
    for (let cut = 1; cut < bytes.length; cut += 1) {
      expect(collect([bytes.slice(0, cut), bytes.slice(cut)]).value).toEqual({ text: '你好 😊' });
    }
  });

  it('drops a byte order mark at the start of the body only, however the body is cut', () => {
    const bytes = utf8.encode('\uFEFF{"text":"\uFEFF你好"}');
    expect(collect([bytes]).value).toEqual({ text: '\uFEFF你好' });
    for (let cut = 1; cut < bytes.length; cut += 1) {
      expect(collect([bytes.slice(0, cut), bytes.slice(cut)]).value).toEqual({ text: '\uFEFF你好' });
    }
  });

  it('reads a body whose chunks end mid-character and then on whole ones', () => {
    const bytes = utf8.encode('{"text":"é","n":1}');
    expect(collect([bytes.slice(0, 10), bytes.slice(10, 14), bytes.slice(14)]).value).toEqual({ text: 'é', n: 1 });
  });

  it('copies the bytes, so a transport reusing its buffer cannot corrupt the body', () => {
    const body = new JsonBodyCollector();
    const buffer = utf8.encode('{"a":1}');
    body.push(buffer);
    buffer.fill(0x20);
    expect(body.finish().value).toEqual({ a: 1 });
  });

  it.each([['{"usage":'], ['not json'], [''], ['\u0000\u0001']])('answers undefined for %j', (text) => {
    expect(collect([text]).value).toBeUndefined();
  });

  it('stops collecting past the cap and keeps only the tail', () => {
    const result = collect(['{"data":"', 'x'.repeat(100), '","usage":{"prompt_tokens":8}}'], 64, 40);
    expect(result.value).toBeUndefined();
    expect(result.tooLarge).toBe(true);
    expect(result.byteLength).toBe(139);
    expect(result.tail).toBe('xxxxxxxxxx","usage":{"prompt_tokens":8}}');
  });

  it('never throws on a value that is not bytes', () => {
    const body = new JsonBodyCollector();
    expect(() => body.push(undefined as unknown as Uint8Array)).not.toThrow();
    expect(body.finish().value).toBeUndefined();
  });
});
