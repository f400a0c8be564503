import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CompressedBody, MAX_DECODED_BYTES } from './decode.js';

const text = JSON.stringify({ usage: { prompt_tokens: 12, completion_tokens: 3 }, filler: 'x'.repeat(5000) });

function roundTrip(encoding: string, bytes: Buffer, pieces = 7): string | undefined {
  const body = CompressedBody.for(encoding);
  if (!body) throw new Error(`no decoder for ${encoding}`);
  const size = Math.ceil(bytes.length / pieces);
  for (let at = 0; at < bytes.length; at += size) body.push(bytes.subarray(at, at + size));
  return body.decode()?.toString();
}

describe('CompressedBody', () => {
  it.each([
    ['gzip', gzipSync(text)],
    ['x-gzip', gzipSync(text)],
    ['deflate', deflateSync(text)],
    ['deflate', deflateRawSync(text)],
    ['br', brotliCompressSync(text)],
    ['BR', brotliCompressSync(text)],
  ])('decodes %s sent in pieces', (encoding, bytes) => {
    expect(roundTrip(encoding, bytes)).toBe(text);
  });

  it('undoes stacked codings last to first', () => {
    expect(roundTrip('deflate, gzip', gzipSync(deflateSync(text)))).toBe(text);
  });

  it('gives what it can of a cut gzip body', () => {
    const bytes = gzipSync(text);
    const decoded = roundTrip('gzip', bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect(decoded).toBeDefined();
    expect(text.startsWith(decoded!)).toBe(true);
    expect(decoded!.length).toBeGreaterThan(0);
  });

  it('is null for identity bodies and undefined for codings it cannot decode', () => {
    expect(CompressedBody.for(undefined)).toBeNull();
    expect(CompressedBody.for('identity')).toBeNull();
    expect(CompressedBody.for('compress')).toBeUndefined();
    expect(CompressedBody.for('gzip, snappy')).toBeUndefined();
  });

  it.each([
    ['gzip', (input: Buffer) => gzipSync(input, { level: 1 })],
    ['deflate', (input: Buffer) => deflateSync(input, { level: 1 })],
    ['br', (input: Buffer) => brotliCompressSync(input, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } })],
  ] as const)('does not inflate a %s bomb: a small body that decodes past the cap gives undefined', (encoding, compress) => {
    const bomb = compress(Buffer.alloc(MAX_DECODED_BYTES + 1024 * 1024));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(roundTrip(encoding, bomb)).toBeUndefined();
    // Just under the cap still decodes.
    expect(roundTrip(encoding, compress(Buffer.alloc(MAX_DECODED_BYTES - 1024)))?.length).toBe(MAX_DECODED_BYTES - 1024);
  });

  it('gives undefined for bytes that are not what the header says', () => {
    expect(roundTrip('gzip', Buffer.from('not gzip at all'))).toBeUndefined();
  });
});
