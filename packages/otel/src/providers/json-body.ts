import { parseJson } from './wire-values.js';

/** Largest JSON body parsed whole: far above any chat response, below a huge embeddings batch. */
export const DEFAULT_MAX_JSON_BYTES = 8 * 1024 * 1024;

/** Characters kept from the end of a too-large body, where `usage` sits in every provider's shape. */
export const DEFAULT_JSON_TAIL_CHARS = 16 * 1024;

/** Decodes a body that came in one piece: not streaming, so one decoder serves every call. */
const wholeDecoder = new TextDecoder('utf-8');

/** A collected JSON response body. */
export interface CollectedJson {
  /** The parsed body (or the part of it the caller asked for); undefined when it was too large or not JSON. */
  value: unknown;
  /** True when the body passed the byte cap and was not parsed. */
  tooLarge: boolean;
  /** Bytes seen, whether kept or not. */
  byteLength: number;
  /** The body's last characters when it was too large, else ''. */
  tail: string;
}

/**
 * Collects a non-stream JSON body up to a byte cap and parses it once at the
 * end. Past the cap it keeps only the last characters, so memory stays
 * bounded. Never throws.
 *
 * @example
 * const body = new JsonBodyCollector();
 * body.push(new TextEncoder().encode('{"usage":'));
 * body.push(new TextEncoder().encode('{"prompt_tokens":3}}'));
 * body.finish().value // { usage: { prompt_tokens: 3 } }
 */
export class JsonBodyCollector {
  readonly #maxBytes: number;
  readonly #tailChars: number;
  // A chunk that ends on a whole character is decoded as it arrives, by one decoder shared by every call: no copy of the
  // bytes is kept (the transport may reuse its buffer). A streaming decoder is made only for a chunk that ends mid-character.
  #decoder: InstanceType<typeof TextDecoder> | undefined;
  #started = false;
  #text = '';
  #byteLength = 0;
  #tooLarge = false;

  constructor(maxBytes: number = DEFAULT_MAX_JSON_BYTES, tailChars: number = DEFAULT_JSON_TAIL_CHARS) {
    this.#maxBytes = maxBytes;
    this.#tailChars = tailChars;
  }

  /** Feeds the next bytes of the body. */
  push(chunk: Uint8Array): void {
    try {
      this.#byteLength += chunk.byteLength;
      if (this.#decoder === undefined) {
        if (endsWhole(chunk) && !(this.#started && startsWithBom(chunk))) {
          this.#started ||= chunk.byteLength > 0;
          this.#append(wholeDecoder.decode(chunk));
          return;
        }
        // A byte order mark is dropped at the start of the body only, as a streaming decoder does.
        this.#decoder = new TextDecoder('utf-8', { ignoreBOM: this.#started });
        this.#started = true;
      }
      this.#append(this.#decoder.decode(chunk, { stream: true }));
    } catch {
      // Only a non-byte argument can get here; keep what was collected.
    }
  }

  /**
   * Ends the body and parses what was collected: with `readPart`, only the
   * part it reads when it can (it answers undefined to have the whole parsed).
   */
  finish(readPart?: (text: string) => unknown): CollectedJson {
    try {
      if (this.#decoder !== undefined) this.#append(this.#decoder.decode());
    } catch {
      // Flushing a TextDecoder does not throw in practice; parse what we have.
    }
    const text = this.#text;
    this.#text = '';
    if (this.#tooLarge) return { value: undefined, tooLarge: true, byteLength: this.#byteLength, tail: text };
    return { value: readPart?.(text) ?? parseJson(text), tooLarge: false, byteLength: this.#byteLength, tail: '' };
  }

  #append(text: string): void {
    if (text.length === 0) return;
    if (!this.#tooLarge && this.#byteLength > this.#maxBytes) this.#tooLarge = true;
    const joined = this.#text + text;
    this.#text = this.#tooLarge && joined.length > this.#tailChars ? joined.slice(-this.#tailChars) : joined;
  }
}

/** True when the chunk's last byte is ASCII: it ends on a whole character (a JSON body's last byte is `}` or a space). */
function endsWhole(chunk: Uint8Array): boolean {
  return chunk.byteLength === 0 || chunk[chunk.byteLength - 1]! < 0x80;
}

function startsWithBom(chunk: Uint8Array): boolean {
  return chunk.byteLength >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
}
