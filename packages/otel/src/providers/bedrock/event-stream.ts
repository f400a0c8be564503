/**
 * Incremental decoder of the AWS event stream framing
 * (`application/vnd.amazon.eventstream`), which Bedrock's streaming
 * operations answer with. A message is:
 *
 *     total length (u32 BE) | headers length (u32 BE) | prelude CRC32 (u32 BE)
 *     headers | payload | message CRC32 (u32 BE)
 *
 * where the prelude CRC covers the first 8 bytes and the message CRC every
 * byte before it. A header is a name (u8 length + UTF-8), a type byte and a
 * value whose size the type fixes (or a u16 length gives, for bytes and strings).
 */
import { crc32 } from 'node:zlib';

/** One decoded message: its string headers by name, and its payload. */
export interface EventStreamMessage {
  /** The string-valued headers (`:event-type`, `:message-type`, `:exception-type`…); headers of other types are skipped. */
  readonly headers: ReadonlyMap<string, string>;
  readonly payload: Uint8Array;
}

/** Receives each message whose checksums hold, in stream order. */
export type EventStreamListener = (message: EventStreamMessage) => void;

/** Largest message kept whole, in bytes: Bedrock's chunks are a few KiB; larger ones are skipped, not buffered. */
export const DEFAULT_MAX_EVENT_MESSAGE = 1024 * 1024;

const PRELUDE = 12;
const CHECKSUM = 4;
// The framing's own limits: anything larger is not a message but a corrupt length.
const MAX_TOTAL = 16 * 1024 * 1024;
const MAX_HEADERS = 128 * 1024;

const STRING = 7;
// Value sizes of the fixed-size header types: bool true, bool false, byte, short, int, long, (bytes), (string), timestamp, uuid.
const FIXED_SIZE: readonly number[] = [0, 0, 1, 2, 4, 8, -1, -1, 8, 16];

const utf8 = new TextDecoder('utf-8');

/**
 * Splits an event stream into messages as its bytes arrive, checking both
 * CRC32s. Never throws and keeps at most one message in memory: a message
 * longer than the cap is skipped by its length; a prelude whose checksum or
 * lengths are wrong stops decoding for good (no later boundary can be
 * trusted), and so does a message whose own checksum fails.
 *
 * @example
 * const decoder = new EventStreamDecoder((message) => console.log(message.headers.get(':event-type')));
 * decoder.push(bytes);
 * decoder.broken // true once the framing could not be trusted
 */
export class EventStreamDecoder {
  readonly #onMessage: EventStreamListener;
  readonly #maxMessage: number;
  readonly #prelude = new Uint8Array(PRELUDE);
  #preludeFilled = 0;
  #message: Uint8Array | undefined;
  #filled = 0;
  #skipping = 0;
  #headersLength = 0;
  #broken = false;
  #skipped = 0;

  constructor(onMessage: EventStreamListener, maxMessage: number = DEFAULT_MAX_EVENT_MESSAGE) {
    this.#onMessage = onMessage;
    this.#maxMessage = maxMessage;
  }

  /** True once a bad checksum or length stopped the decoding. */
  get broken(): boolean {
    return this.#broken;
  }

  /** Messages passed over because they were longer than the cap. */
  get skipped(): number {
    return this.#skipped;
  }

  /** True when the bytes so far end between two messages. */
  get atBoundary(): boolean {
    return !this.#broken && this.#preludeFilled === 0 && this.#message === undefined && this.#skipping === 0;
  }

  /** Feeds the next bytes of the stream. */
  push(bytes: Uint8Array): void {
    try {
      let at = 0;
      while (at < bytes.length && !this.#broken) at = this.#consume(bytes, at);
    } catch {
      // Only a non-byte argument can get here; a later push still decodes.
    }
  }

  #consume(bytes: Uint8Array, at: number): number {
    if (this.#skipping > 0) {
      const take = Math.min(this.#skipping, bytes.length - at);
      this.#skipping -= take;
      return at + take;
    }
    if (this.#message === undefined) {
      const take = Math.min(PRELUDE - this.#preludeFilled, bytes.length - at);
      this.#prelude.set(bytes.subarray(at, at + take), this.#preludeFilled);
      this.#preludeFilled += take;
      if (this.#preludeFilled === PRELUDE) this.#startMessage();
      return at + take;
    }
    const message = this.#message;
    const take = Math.min(message.length - this.#filled, bytes.length - at);
    message.set(bytes.subarray(at, at + take), this.#filled);
    this.#filled += take;
    if (this.#filled === message.length) this.#endMessage(message);
    return at + take;
  }

  #startMessage(): void {
    const view = new DataView(this.#prelude.buffer);
    const total = view.getUint32(0);
    const headersLength = view.getUint32(4);
    this.#preludeFilled = 0;
    const valid =
      view.getUint32(8) === crc32(this.#prelude.subarray(0, 8)) &&
      total >= PRELUDE + CHECKSUM &&
      total <= MAX_TOTAL &&
      headersLength <= MAX_HEADERS &&
      headersLength <= total - PRELUDE - CHECKSUM;
    if (!valid) {
      this.#broken = true;
      return;
    }
    if (total > this.#maxMessage) {
      this.#skipped += 1;
      this.#skipping = total - PRELUDE;
      return;
    }
    const message = new Uint8Array(total);
    message.set(this.#prelude);
    this.#message = message;
    this.#filled = PRELUDE;
    this.#headersLength = headersLength;
  }

  #endMessage(message: Uint8Array): void {
    this.#message = undefined;
    this.#filled = 0;
    const body = message.length - CHECKSUM;
    if (new DataView(message.buffer, body).getUint32(0) !== crc32(message.subarray(0, body))) {
      this.#broken = true;
      return;
    }
    const headers = readHeaders(message.subarray(PRELUDE, PRELUDE + this.#headersLength));
    // Headers that do not parse under a valid checksum were written by a broken encoder: drop that message only.
    if (headers === undefined) return;
    try {
      this.#onMessage({ headers, payload: message.subarray(PRELUDE + this.#headersLength, body) });
    } catch {
      // A listener's bug must not stop the messages after it.
    }
  }
}

/** The string headers of a message, or undefined when the header block is malformed. */
function readHeaders(block: Uint8Array): Map<string, string> | undefined {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const headers = new Map<string, string>();
  let at = 0;
  while (at < block.length) {
    const nameLength = block[at]!;
    const typeAt = at + 1 + nameLength;
    if (nameLength === 0 || typeAt >= block.length) return undefined;
    const name = utf8.decode(block.subarray(at + 1, typeAt));
    const type = block[typeAt]!;
    const fixed = FIXED_SIZE[type];
    if (fixed === undefined) return undefined;
    let valueAt = typeAt + 1;
    let size = fixed;
    if (fixed < 0) {
      if (valueAt + 2 > block.length) return undefined;
      size = view.getUint16(valueAt);
      valueAt += 2;
    }
    if (valueAt + size > block.length) return undefined;
    if (type === STRING) headers.set(name, utf8.decode(block.subarray(valueAt, valueAt + size)));
    at = valueAt + size;
  }
  return headers;
}

/**
 * The error type of a message that reports a failure after the 200
 * (`modelStreamErrorException`, `throttlingException`…), or undefined for an event.
 *
 * @example
 * streamErrorOf(message) // 'modelStreamErrorException'
 */
export function streamErrorOf(message: EventStreamMessage): string | undefined {
  const kind = message.headers.get(':message-type');
  if (kind !== 'exception' && kind !== 'error') return undefined;
  return message.headers.get(':exception-type') ?? message.headers.get(':error-code') ?? 'exception';
}
