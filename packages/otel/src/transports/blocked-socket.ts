import { Duplex } from 'node:stream';
import type { BlockedResponse } from './blocked-response.js';

/**
 * The socket a blocked `node:http` request is given instead of a connection:
 * in memory, it swallows what Node writes (the request never leaves) and
 * answers with the blocked response as HTTP/1.1 bytes, so Node's own parser
 * makes a real `IncomingMessage` and the request emits its usual 'response'.
 * `connection: close` keeps an agent from ever pooling it.
 */
export class BlockedSocket extends Duplex {
  /** Already "connected": clients that wait for 'connect' when `connecting` is true go straight on. */
  readonly connecting = false;
  readonly remoteAddress = undefined;
  readonly remotePort = undefined;

  constructor(response: BlockedResponse) {
    super();
    this.push(httpBytes(response));
    // The server side closes after its answer, as a real server does with `connection: close`.
    this.push(null);
  }

  override _read(): void {}

  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    callback();
  }

  // The net.Socket methods Node's HTTP client, and clients like axios or got, call on a request's socket.
  setTimeout(_ms: number, callback?: () => void): this {
    if (callback !== undefined) this.once('timeout', callback);
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): Record<string, never> {
    return {};
  }
}

/** The response as it would come off the wire: status line, headers, framing, body. */
function httpBytes(response: BlockedResponse): Buffer {
  const body = Buffer.from(response.body, 'utf8');
  let head = `HTTP/1.1 ${response.status} ${response.statusText}\r\n`;
  for (const [name, value] of Object.entries(response.headers)) head += `${name}: ${value}\r\n`;
  head += `content-length: ${body.byteLength}\r\nconnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
