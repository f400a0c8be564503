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
  // Decoding as bytes arrive copies them out of buffers the transport may reuse. Most bodies come in
  // one chunk: that one is copied and decoded at the end, and a streaming decoder made only for a second.
  #decoder: InstanceType<typeof TextDecoder> | undefined;
  #first: Uint8Array | undefined;
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
      if (this.#decoder === undefined && this.#first === undefined && this.#text === '') {
        this.#first = chunk.slice();
        return;
      }
      if (this.#decoder === undefined) {
        this.#decoder = new TextDecoder('utf-8');
        if (this.#first !== undefined) this.#append(this.#decoder.decode(this.#first, { stream: true }));
        this.#first = undefined;
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
      else if (this.#first !== undefined) this.#append(wholeDecoder.decode(this.#first));
      this.#first = undefined;
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
