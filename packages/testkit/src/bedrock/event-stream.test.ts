import { EventStreamCodec } from '@smithy/core/event-streams';
import { describe, expect, it } from 'vitest';
import { encodeEventStreamMessage, eventFrame, exceptionFrame } from './event-stream.js';

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => new TextDecoder().decode(bytes),
  (text: string) => new TextEncoder().encode(text),
);

describe('encodeEventStreamMessage', () => {
  it('writes the bytes the AWS SDK writes for the same message', () => {
    const frame = eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Budgets é😊' }, p: 'abcd' });
    const headers = Object.fromEntries(Object.entries(frame.headers).map(([name, value]) => [name, { type: 'string' as const, value }]));
    expect(encodeEventStreamMessage(frame)).toEqual(codec.encode({ headers, body: frame.payload }));
  });

  it('passes the AWS SDK decoder, which checks both CRC32s', () => {
    const bytes = encodeEventStreamMessage(exceptionFrame('throttlingException', 'Too many tokens, please wait.'));
    const { headers, body } = codec.decode(bytes);
    expect(headers).toEqual({
      ':exception-type': { type: 'string', value: 'throttlingException' },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    });
    expect(JSON.parse(new TextDecoder().decode(body))).toEqual({ message: 'Too many tokens, please wait.' });
  });

  it('fails the SDK check when a byte is changed, so the checksums are real', () => {
    const bytes = encodeEventStreamMessage(eventFrame('metadata', { usage: { inputTokens: 1, outputTokens: 2 } }));
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 1;
    expect(() => codec.decode(bytes)).toThrow(/checksum/);
  });
});
