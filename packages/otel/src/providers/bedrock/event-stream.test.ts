import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { describe, expect, it } from 'vitest';
import { EventStreamDecoder, type EventStreamMessage } from './event-stream.js';

const utf8 = new TextDecoder();
const codec = new EventStreamCodec(
  (bytes: Uint8Array) => utf8.decode(bytes),
  (text: string) => new TextEncoder().encode(text),
);

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
}

interface Decoded {
  messages: { headers: Record<string, string>; payload: string }[];
  broken: boolean;
  skipped: number;
  atBoundary: boolean;
}

function decode(pieces: readonly Uint8Array[], maxMessage?: number): Decoded {
  const messages: Decoded['messages'] = [];
  const decoder = new EventStreamDecoder((message: EventStreamMessage) => {
    messages.push({ headers: Object.fromEntries(message.headers), payload: utf8.decode(message.payload) });
  }, maxMessage);
  for (const piece of pieces) decoder.push(piece);
  return { messages, broken: decoder.broken, skipped: decoder.skipped, atBoundary: decoder.atBoundary };
}

/** The AWS SDK's own reading of a whole stream, message by message. */
function sdkDecode(bytes: Uint8Array): Decoded['messages'] {
  const messages: Decoded['messages'] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + at).getUint32(0);
    const { headers, body } = codec.decode(bytes.subarray(at, at + length));
    const strings = Object.entries(headers).filter(([, header]) => header.type === 'string');
    messages.push({ headers: Object.fromEntries(strings.map(([name, header]) => [name, String(header.value)])), payload: utf8.decode(body) });
    at += length;
  }
  return messages;
}

describe('EventStreamDecoder', () => {
  it.each(['converse-stream.bin', 'converse-stream-exception.bin', 'invoke-stream-anthropic.bin', 'invoke-stream-nova.bin'])(
    'reads %s as the AWS SDK does',
    (name) => {
      const bytes = fixture(name);
      const decoded = decode([bytes]);
      expect(decoded.broken).toBe(false);
      expect(decoded.atBoundary).toBe(true);
      expect(decoded.messages).toEqual(sdkDecode(bytes));
      expect(decoded.messages.length).toBeGreaterThan(4);
    },
  );

  it('gives the same messages split in two at every byte', () => {
    const bytes = fixture('converse-stream.bin');
    const whole = decode([bytes]);
    for (let at = 0; at <= bytes.length; at += 1) {
      const split = decode([bytes.subarray(0, at), bytes.subarray(at)]);
      if (JSON.stringify(split) !== JSON.stringify(whole)) expect({ at, split }).toEqual({ at, split: whole });
    }
  });

  it('reads every header type, keeping the strings', () => {
    const headers = {
      ':event-type': { type: 'string', value: 'metadata' },
      yes: { type: 'boolean', value: true },
      no: { type: 'boolean', value: false },
      byte: { type: 'byte', value: 7 },
      short: { type: 'short', value: 300 },
      int: { type: 'integer', value: 70000 },
      bytes: { type: 'binary', value: new Uint8Array([1, 2, 3]) },
      when: { type: 'timestamp', value: new Date(0) },
      id: { type: 'uuid', value: '7a3c6d1e-93b1-4c52-8a55-0f7b0e1c2d3e' },
      ':message-type': { type: 'string', value: 'event' },
    } as const;
    const bytes = codec.encode({ headers: headers as never, body: new TextEncoder().encode('{}') });
    expect(decode([bytes]).messages).toEqual([{ headers: { ':event-type': 'metadata', ':message-type': 'event' }, payload: '{}' }]);
  });

  it('stops for good at a prelude whose checksum fails, and says so', () => {
    const bytes = fixture('converse-stream.bin').slice();
    const second = new DataView(bytes.buffer).getUint32(0);
    bytes[second + 8] = bytes[second + 8]! ^ 0xff;
    const decoded = decode([bytes]);
    expect(decoded.broken).toBe(true);
    expect(decoded.messages).toHaveLength(1);
  });

  it('stops at a message whose checksum fails: nothing after it can be trusted', () => {
    const bytes = fixture('converse-stream.bin').slice();
    const first = new DataView(bytes.buffer).getUint32(0);
    bytes[first - 6] = bytes[first - 6]! ^ 0x01;
    expect(decode([bytes])).toMatchObject({ broken: true, messages: [] });
  });

  it('skips a message longer than the cap by its length and reads on', () => {
    const big = codec.encode({ headers: { ':event-type': { type: 'string', value: 'chunk' } }, body: new Uint8Array(5000) });
    const small = codec.encode({ headers: { ':event-type': { type: 'string', value: 'metadata' } }, body: new TextEncoder().encode('{}') });
    const joined = new Uint8Array([...big, ...small]);
    const decoded = decode([joined.subarray(0, 100), joined.subarray(100)], 1024);
    expect(decoded).toMatchObject({ broken: false, skipped: 1, atBoundary: true });
    expect(decoded.messages).toEqual([{ headers: { ':event-type': 'metadata' }, payload: '{}' }]);
  });

  it('refuses a length below the framing minimum even with a valid prelude checksum', () => {
    const prelude = new Uint8Array(12);
    const view = new DataView(prelude.buffer);
    view.setUint32(0, 8);
    view.setUint32(4, 0);
    view.setUint32(8, crc32(prelude.subarray(0, 8)));
    expect(decode([prelude])).toMatchObject({ broken: true, messages: [] });
  });

  it('drops a message whose headers do not parse under a valid checksum, and reads the next', () => {
    const good = codec.encode({ headers: { ':event-type': { type: 'string', value: 'metadata' } }, body: new Uint8Array(0) });
    // One header named "x" of type 42, which the framing does not define.
    const headers = new Uint8Array([1, 0x78, 42]);
    const total = 12 + headers.length + 4;
    const bad = new Uint8Array(total);
    const view = new DataView(bad.buffer);
    view.setUint32(0, total);
    view.setUint32(4, headers.length);
    view.setUint32(8, crc32(bad.subarray(0, 8)));
    bad.set(headers, 12);
    view.setUint32(total - 4, crc32(bad.subarray(0, total - 4)));
    const decoded = decode([new Uint8Array([...bad, ...good])]);
    expect(decoded).toMatchObject({ broken: false, messages: [{ headers: { ':event-type': 'metadata' }, payload: '' }] });
  });

  it('says a stream cut inside a message is not at a boundary', () => {
    const bytes = fixture('converse-stream.bin');
    expect(decode([bytes.subarray(0, bytes.length - 3)]).atBoundary).toBe(false);
  });
});
