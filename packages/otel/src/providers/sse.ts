/**
 * Incremental Server-Sent-Events decoder, after the WHATWG "event stream
 * interpretation" rules, with bounded memory.
 */

/** Receives one dispatched event: its type (`message` when unnamed) and its data. */
export type SseListener = (event: string, data: string) => void;

/** Longest line (and event data) kept, in UTF-16 units: about 1 MiB of JSON. */
export const DEFAULT_MAX_SSE_LINE = 1_048_576;

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

/**
 * Splits a byte stream into SSE events as the bytes arrive. Never throws: bad
 * UTF-8 becomes U+FFFD, an oversized line or event is dropped and counted.
 *
 * @example
 * const decoder = new SseDecoder((event, data) => console.log(event, data));
 * decoder.push(new TextEncoder().encode('event: ping\ndata: {}\n\n'));
 * decoder.end();
 */
/** Decodes chunks that hold only whole characters; ignoreBOM, as a U+FEFF mid-stream is content. */
const wholeDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

export class SseDecoder {
  readonly #onEvent: SseListener;
  readonly #maxLine: number;
  readonly #text = new TextDecoder('utf-8');
  /** True when the streaming decoder holds no partial character (the last chunk ended on an ASCII byte). */
  #clean = false;
  #pending = '';
  #discarding = false;
  #afterCR = false;
  #event = '';
  #data = '';
  #hasData = false;
  #broken = false;
  #ended = false;
  #dropped = 0;

  constructor(onEvent: SseListener, maxLine: number = DEFAULT_MAX_SSE_LINE) {
    this.#onEvent = onEvent;
    this.#maxLine = maxLine;
  }

  /** Lines and events dropped because they were longer than the cap. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Feeds the next bytes of the stream. */
  push(bytes: Uint8Array): void {
    if (this.#ended) return;
    try {
      const endsClean = bytes.length > 0 && bytes[bytes.length - 1]! < 0x80;
      // A chunk that starts and ends between characters decodes whole; Node 22's streaming decode is several times slower.
      this.#scan(this.#clean && endsClean ? wholeDecoder.decode(bytes) : this.#text.decode(bytes, { stream: true }));
      this.#clean = endsClean;
    } catch {
      // Only a non-byte argument can get here; the stream state stays usable.
    }
  }

  /** Ends the stream: an unfinished line or event is discarded, as the spec says. */
  end(): void {
    if (this.#ended) return;
    try {
      this.#scan(this.#text.decode());
    } catch {
      // Flushing a TextDecoder does not throw in practice; end anyway.
    }
    this.#ended = true;
    this.#pending = '';
    this.#data = '';
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
      this.#dropLine();
      return;
    }
    const line = this.#pending.length === 0 ? text.slice(start, end) : this.#pending + text.slice(start, end);
    this.#pending = '';
    this.#readLine(line);
  }

  #dropLine(): void {
    this.#dropped += 1;
    // The event lost a line, so whatever it dispatches would be wrong.
    this.#broken = true;
    this.#data = '';
  }

  #readLine(line: string): void {
    if (line.length === 0) {
      this.#dispatch();
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) return;
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field === 'data') {
      const value = valueOf(line, colon);
      if (this.#broken) return;
      if (this.#data.length + value.length + 1 > this.#maxLine) {
        this.#dropLine();
        return;
      }
      this.#data = this.#hasData ? `${this.#data}\n${value}` : value;
      this.#hasData = true;
    } else if (field === 'event') {
      this.#event = valueOf(line, colon);
    }
  }

  #dispatch(): void {
    const deliver = this.#hasData && !this.#broken;
    const event = this.#event.length === 0 ? 'message' : this.#event;
    const data = this.#data;
    this.#event = '';
    this.#data = '';
    this.#hasData = false;
    this.#broken = false;
    if (!deliver) return;
    try {
      this.#onEvent(event, data);
    } catch {
      // A listener's bug must not stop the events after it.
    }
  }
}

function valueOf(line: string, colon: number): string {
  if (colon === -1) return '';
  const from = line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
  return line.slice(from);
}
