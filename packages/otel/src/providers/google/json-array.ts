/**
 * Incremental splitter of a streamed JSON array into its elements: the
 * shape of Gemini's `streamGenerateContent` without `alt=sse`
 * (`[{…}\n,\r\n{…}\n]`), where each element is one response chunk.
 */

/** Receives the text of each top-level element, in order. */
export type ArrayElementListener = (element: string) => void;

/** Longest element kept, in UTF-16 units; a longer one is dropped. */
export const DEFAULT_MAX_ARRAY_ELEMENT = 1_048_576;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const CONTINUES = 0;
const ENDS_AT = 1;
const ENDED_BEFORE = 2;
type Step = typeof CONTINUES | typeof ENDS_AT | typeof ENDED_BEFORE;

/**
 * Splits the bytes of a JSON array into its elements as they arrive,
 * tracking nesting and strings byte by byte (every structural character is
 * ASCII, so UTF-8 needs no decoding to find them). Never throws; memory is
 * one element, capped. Bytes before the opening `[` other than white space
 * mean the body is not an array: nothing is emitted.
 *
 * @example
 * const splitter = new JsonArraySplitter((element) => console.log(JSON.parse(element)));
 * splitter.push(new TextEncoder().encode('[{"a":1}\n,{"a":2}]'));
 */
export class JsonArraySplitter {
  readonly #onElement: ArrayElementListener;
  readonly #maxElement: number;
  readonly #text = new TextDecoder('utf-8');
  #state: 'start' | 'between' | 'element' | 'done' = 'start';
  #depth = 0;
  #inString = false;
  #escaped = false;
  #element = '';
  #oversized = false;

  constructor(onElement: ArrayElementListener, maxElement: number = DEFAULT_MAX_ARRAY_ELEMENT) {
    this.#onElement = onElement;
    this.#maxElement = maxElement;
  }

  /** Feeds the next bytes of the body. */
  push(bytes: Uint8Array): void {
    try {
      this.#scan(bytes);
    } catch {
      // Only a non-byte argument can get here; the state stays usable.
    }
  }

  #scan(bytes: Uint8Array): void {
    let from = -1;
    for (let i = 0; i < bytes.length && this.#state !== 'done'; i++) {
      const byte = bytes[i]!;
      if (this.#state === 'element') {
        const end = this.#step(byte);
        if (end === CONTINUES) continue;
        this.#keep(bytes, from === -1 ? 0 : from, end === ENDS_AT ? i + 1 : i);
        this.#emit();
        from = -1;
        if (end === ENDED_BEFORE && byte === CLOSE_BRACKET) this.#state = 'done';
        continue;
      }
      if (isSpace(byte)) continue;
      if (this.#state === 'start') {
        this.#state = byte === OPEN_BRACKET ? 'between' : 'done';
      } else if (byte === CLOSE_BRACKET) {
        this.#state = 'done';
      } else if (byte !== COMMA) {
        this.#state = 'element';
        this.#depth = 0;
        from = i;
        // The element's first byte is read again as part of it.
        i -= 1;
      }
    }
    if (this.#state === 'element') this.#keep(bytes, from === -1 ? 0 : from, bytes.length);
  }

  /** Advances over one byte of an element: whether the element goes on, ends with this byte, or ended just before it (a bare value). */
  #step(byte: number): Step {
    if (this.#inString) {
      if (this.#escaped) this.#escaped = false;
      else if (byte === BACKSLASH) this.#escaped = true;
      else if (byte === QUOTE) this.#inString = false;
      return CONTINUES;
    }
    if (byte === QUOTE) this.#inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.#depth += 1;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (this.#depth === 0) return ENDED_BEFORE;
      this.#depth -= 1;
      return this.#depth === 0 ? ENDS_AT : CONTINUES;
    } else if (byte === COMMA && this.#depth === 0) return ENDED_BEFORE;
    return CONTINUES;
  }

  #keep(bytes: Uint8Array, from: number, to: number): void {
    if (this.#oversized || to <= from) return;
    // Element boundaries are ASCII bytes, so the streaming decoder holds nothing back at them.
    const text = this.#text.decode(bytes.subarray(from, to), { stream: true });
    if (this.#element.length + text.length > this.#maxElement) {
      this.#oversized = true;
      this.#element = '';
      return;
    }
    this.#element += text;
  }

  #emit(): void {
    const element = this.#element;
    const deliver = !this.#oversized;
    // An oversized element stopped being decoded mid-way: flush what the decoder holds of it.
    if (!deliver) this.#text.decode();
    this.#element = '';
    this.#oversized = false;
    this.#inString = false;
    this.#escaped = false;
    this.#state = 'between';
    if (!deliver || element.trim() === '') return;
    try {
      this.#onElement(element);
    } catch {
      // A listener's bug must not stop the elements after it.
    }
  }
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}
