/**
 * Writes a response body so that each scenario can end it cleanly, cut it
 * (socket destroyed) or hold it open, with optional gzip.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type Gzip, constants, createGzip, gzip } from 'node:zlib';

const gzipBytes = promisify(gzip);

/**
 * fetch gunzips off the main thread and drops pending output when the socket
 * dies, so a compressed stream is cut this long after its last flush for the
 * client to see every event sent.
 */
const COMPRESSED_CUT_GRACE_MS = 20;

/** A JSON body already written as text, for providers that send more than `JSON.stringify` would (OpenRouter's leading blank lines). */
export class JsonText {
  constructor(readonly text: string) {}
}

/** A response whose bytes have been written: how it stops. */
export interface SentBody {
  /** Ends the response normally. */
  end(): void;
  /** Destroys the socket: the client sees the connection drop. */
  cut(): void | Promise<void>;
}

/**
 * Writes the head and a JSON body, the whole of it or its first half (for
 * `cut`), always with the full `content-length`; the caller decides how it stops.
 */
export async function sendJson(
  res: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  payload: object,
  options: { compress: boolean; half: boolean },
): Promise<SentBody> {
  const json = Buffer.from(payload instanceof JsonText ? payload.text : JSON.stringify(payload));
  const bytes = options.compress ? await gzipBytes(json) : json;
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    ...(options.compress ? { 'content-encoding': 'gzip' } : {}),
    'content-length': bytes.length,
  });
  await write(res, options.half ? bytes.subarray(0, bytes.length >> 1) : bytes);
  return {
    end: () => res.end(),
    cut: () => {
      res.destroy();
    },
  };
}

/** A `text/event-stream` response; with gzip, every event is flushed on its own. */
export class EventStream implements SentBody {
  readonly #res: ServerResponse;
  readonly #gzip: Gzip | undefined;
  #written: Promise<void> = Promise.resolve();

  constructor(res: ServerResponse, headers: OutgoingHttpHeaders, compress: boolean) {
    this.#res = res;
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      ...(compress ? { 'content-encoding': 'gzip' } : {}),
    });
    res.flushHeaders();
    if (compress) {
      const zip = createGzip();
      zip.on('data', (chunk: Buffer) => {
        this.#written = write(res, chunk);
      });
      zip.on('end', () => res.end());
      this.#gzip = zip;
    }
  }

  /** Resolves once the event's bytes have been handed to the socket. */
  async send(event: string): Promise<void> {
    const zip = this.#gzip;
    if (zip === undefined) return write(this.#res, event);
    zip.write(event);
    await new Promise<void>((resolve) => zip.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    await this.#written;
  }

  end(): void {
    if (this.#gzip === undefined) this.#res.end();
    else this.#gzip.end();
  }

  async cut(): Promise<void> {
    if (this.#gzip !== undefined) {
      await sleep(COMPRESSED_CUT_GRACE_MS);
      this.#gzip.destroy();
    }
    this.#res.destroy();
  }
}

/** Whether an `accept-encoding` header allows gzip (`gzip` or `*`, with a q-value above 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(',').some((entry) => {
    const [coding = '', ...params] = entry.split(';').map((part) => part.trim());
    if (coding.toLowerCase() !== 'gzip' && coding !== '*') return false;
    const q = params.find((param) => param.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

// The callback also runs (with an error) when the socket is already gone.
function write(res: ServerResponse, chunk: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    res.write(chunk, () => resolve());
  });
}
