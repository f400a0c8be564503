import * as zlib from 'node:zlib';

/** Compressed bytes kept per response at most; past this the body is not read (the call is estimated). */
const MAX_COMPRESSED_BYTES = 8 * 1024 * 1024;

/** Decoded bytes made at most: a small body that inflates to gigabytes (a zip bomb) is not read, not allocated. */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024;

type Decode = (input: Buffer) => Buffer;

const zlibOptions = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: MAX_DECODED_BYTES };
const decoders: Record<string, Decode> = {
  gzip: (input) => zlib.gunzipSync(input, zlibOptions),
  'x-gzip': (input) => zlib.gunzipSync(input, zlibOptions),
  deflate: (input) => {
    // HTTP "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
    try {
      return zlib.inflateSync(input, zlibOptions);
    } catch (error) {
      if (error instanceof RangeError) throw error;
      return zlib.inflateRawSync(input, zlibOptions);
    }
  },
  br: (input) => zlib.brotliDecompressSync(input, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH, maxOutputLength: MAX_DECODED_BYTES }),
};

/**
 * Keeps a copy of a compressed response body and decodes it once the body
 * has ended, for reading only: the app still gets the original bytes. The
 * decode runs after the app has its last chunk, and tolerates a cut body.
 */
export class CompressedBody {
  readonly #steps: Decode[];
  readonly #chunks: Buffer[] = [];
  #size = 0;
  #overflowed = false;

  private constructor(steps: Decode[]) {
    this.#steps = steps;
  }

  /**
   * A collector for `content-encoding`, `null` for an identity body, or
   * `undefined` when an encoding is not one costctl can decode.
   */
  static for(contentEncoding: string | undefined): CompressedBody | null | undefined {
    if (contentEncoding === undefined) return null;
    const steps: Decode[] = [];
    // Codings are listed in the order applied, so they are undone last to first.
    for (const coding of contentEncoding.toLowerCase().split(',').reverse()) {
      const name = coding.trim();
      if (name === '' || name === 'identity') continue;
      const decode = decoders[name];
      if (decode === undefined) return undefined;
      steps.push(decode);
    }
    return steps.length === 0 ? null : new CompressedBody(steps);
  }

  push(chunk: Uint8Array): void {
    if (this.#overflowed) return;
    this.#size += chunk.byteLength;
    if (this.#size > MAX_COMPRESSED_BYTES) {
      this.#overflowed = true;
      this.#chunks.length = 0;
      return;
    }
    // Copy: the transport may reuse the chunk's memory once the handler returns.
    this.#chunks.push(Buffer.from(chunk));
  }

  /** The decoded body, or undefined when it was too large or could not be decoded. */
  decode(): Buffer | undefined {
    if (this.#overflowed) return undefined;
    try {
      let body: Buffer = Buffer.concat(this.#chunks);
      for (const step of this.#steps) body = step(body);
      return body;
    } catch {
      return undefined;
    }
  }
}
