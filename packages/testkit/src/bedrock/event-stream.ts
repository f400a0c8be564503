/**
 * The AWS event stream framing (`application/vnd.amazon.eventstream`),
 * written byte for byte as Bedrock sends it: the AWS SDKs check both CRC32s.
 */
import type { ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import { type MessageSink, write } from '../cloud/fake-server.js';

const STRING = 7;
const utf8 = new TextEncoder();

/** One message: string headers (Bedrock sends no other kind) and a payload. */
export interface EventStreamFrame {
  headers: Readonly<Record<string, string>>;
  payload: Uint8Array;
}

/**
 * Encodes one message: total length, headers length and their CRC32 (the
 * prelude), then the headers (u8 name length, name, type 7, u16 value
 * length, value), the payload, and the CRC32 of everything before it.
 *
 * @example
 * encodeEventStreamMessage({ headers: { ':message-type': 'event', ':event-type': 'metadata' }, payload: new TextEncoder().encode('{}') })
 */
export function encodeEventStreamMessage(frame: EventStreamFrame): Uint8Array {
  const headers = Object.entries(frame.headers).map(([name, value]) => [utf8.encode(name), utf8.encode(value)] as const);
  const headersLength = headers.reduce((sum, [name, value]) => sum + 1 + name.length + 1 + 2 + value.length, 0);
  const total = 12 + headersLength + frame.payload.length + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headersLength);
  view.setUint32(8, crc32(out.subarray(0, 8)));
  let at = 12;
  for (const [name, value] of headers) {
    out[at] = name.length;
    out.set(name, at + 1);
    at += 1 + name.length;
    out[at] = STRING;
    view.setUint16(at + 1, value.length);
    out.set(value, at + 3);
    at += 3 + value.length;
  }
  out.set(frame.payload, at);
  view.setUint32(total - 4, crc32(out.subarray(0, total - 4)));
  return out;
}

/**
 * An `event` message: `:event-type`, `:content-type` and `:message-type` headers, in Bedrock's order, and a JSON payload.
 *
 * @example
 * eventFrame('messageStop', { p: padding(12), stopReason: 'end_turn' })
 */
export function eventFrame(type: string, payload: object): EventStreamFrame {
  return { headers: { ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, payload: utf8.encode(JSON.stringify(payload)) };
}

/**
 * An `exception` message, as Bedrock ends a stream that failed after its head was sent.
 *
 * @example
 * exceptionFrame('throttlingException', 'Too many tokens, please wait before trying again.')
 */
export function exceptionFrame(type: string, message: string): EventStreamFrame {
  return {
    headers: { ':exception-type': type, ':content-type': 'application/json', ':message-type': 'exception' },
    payload: utf8.encode(JSON.stringify({ message })),
  };
}

/**
 * Bedrock pads every event's JSON with a `p` field of letters so that the
 * sizes of encrypted frames do not give away the text.
 *
 * @example
 * padding(5) // 'abcde'
 */
export function padding(length: number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return letters.repeat(Math.ceil(length / letters.length)).slice(0, length);
}

/** A streaming response in the event stream framing, one message per write. */
export class EventStreamSink implements MessageSink<EventStreamFrame> {
  readonly #res: ServerResponse;

  constructor(res: ServerResponse, headers: Readonly<Record<string, string>>) {
    this.#res = res;
    res.writeHead(200, { ...headers, 'content-type': 'application/vnd.amazon.eventstream' });
    res.flushHeaders();
  }

  send(frame: EventStreamFrame): Promise<void> {
    return write(this.#res, encodeEventStreamMessage(frame));
  }

  end(): void {
    this.#res.end();
  }

  cut(): void {
    this.#res.destroy();
  }
}
