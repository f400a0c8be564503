const LF = 0x0a;
const CR = 0x0d;

/** Decodes chunks that hold only whole characters; ignoreBOM, as a U+FEFF mid-stream is content. */
const wholeDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** What a LineSplitter hands on: each line without its end, and each line dropped for its length. */
export interface LineListener {
  line(text: string): void;
  dropped(): void;
}

/**
 * Splits a UTF-8 byte stream into lines as the bytes arrive, for the SSE and
 * JSON Lines decoders: a line ends at LF, CRLF or a lone CR (a CRLF split
 * between two chunks is one line end). Memory stays bounded: a line longer
 * than `maxLine` UTF-16 units is dropped and reported, not kept. Bad UTF-8
 * becomes U+FFFD. Never throws (a listener's own throw aside).
 *
 * @example
 * const lines = new LineSplitter({ line: (text) => console.log(text), dropped: () => {} }, 1_048_576);
 * lines.push(new TextEncoder().encode('a\r\nb\n'));
 */
export class LineSplitter {
  readonly #listener: LineListener;
  readonly #maxLine: number;
  readonly #text = new TextDecoder('utf-8');
  /** True when the streaming decoder holds no partial character (the last chunk ended on an ASCII byte). */
  #clean = false;
  #pending = '';
  #discarding = false;
  #afterCR = false;

  constructor(listener: LineListener, maxLine: number) {
    this.#listener = listener;
    this.#maxLine = maxLine;
  }

  /** Feeds the next bytes. */
  push(bytes: Uint8Array): void {
    try {
      const endsClean = bytes.length > 0 && bytes[bytes.length - 1]! < 0x80;
      // A chunk that starts and ends between characters decodes whole; Node 22's streaming decode is several times slower.
      this.#scan(this.#clean && endsClean ? wholeDecoder.decode(bytes) : this.#text.decode(bytes, { stream: true }));
      this.#clean = endsClean;
    } catch {
      // Only a non-byte argument can get here; the stream state stays usable.
    }
  }

  /**
   * Ends the stream and answers the text after the last line end (empty when
   * there is none, or when that line was too long): SSE discards it, JSON Lines reads it.
   */
  end(): string {
    try {
      this.#scan(this.#text.decode());
    } catch {
      // Flushing a TextDecoder does not throw in practice; end anyway.
    }
    const rest = this.#discarding ? '' : this.#pending;
    this.#pending = '';
    this.#discarding = false;
    return rest;
  }

  #scan(text: string): void {
    const n = text.length;
    let start = 0;
    if (this.#afterCR && n > 0) {
      // A CR ended the previous chunk: an LF starting this one belongs to it.
      if (text.charCodeAt(0) === LF) start = 1;
      this.#afterCR = false;
    }
    let lf = text.indexOf('\n', start);
    let cr = text.indexOf('\r', start);
    while (lf !== -1 || cr !== -1) {
      const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
      this.#endLine(text, start, end);
      start = end + 1;
      if (text.charCodeAt(end) === CR) {
        if (start === n) this.#afterCR = true;
        else if (text.charCodeAt(start) === LF) start += 1;
      }
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
    }
    if (start < n) this.#keep(text, start);
  }

  #keep(text: string, start: number): void {
    if (this.#discarding) return;
    if (this.#pending.length + (text.length - start) > this.#maxLine) {
      this.#discarding = true;
      this.#pending = '';
      return;
    }
    this.#pending += text.slice(start);
  }

  #endLine(text: string, start: number, end: number): void {
    if (this.#discarding || this.#pending.length + (end - start) > this.#maxLine) {
      this.#discarding = false;
      this.#pending = '';
      this.#listener.dropped();
      return;
    }
    const line = this.#pending.length === 0 ? text.slice(start, end) : this.#pending + text.slice(start, end);
    this.#pending = '';
    this.#listener.line(line);
  }
}
