import { LineSplitter } from './line-splitter.js';

/**
 * Incremental Server-Sent-Events decoder, after the WHATWG "event stream
 * interpretation" rules, with bounded memory.
 */

/** Receives one dispatched event: its type (`message` when unnamed) and its data. */
export type SseListener = (event: string, data: string) => void;

/** Longest line (and event data) kept, in UTF-16 units: about 1 MiB of JSON. */
export const DEFAULT_MAX_SSE_LINE = 1_048_576;

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
export class SseDecoder {
  readonly #onEvent: SseListener;
  readonly #maxLine: number;
  readonly #lines: LineSplitter;
  #event = '';
  #data = '';
  #hasData = false;
  #broken = false;
  #ended = false;
  #dropped = 0;

  constructor(onEvent: SseListener, maxLine: number = DEFAULT_MAX_SSE_LINE) {
    this.#onEvent = onEvent;
    this.#maxLine = maxLine;
    this.#lines = new LineSplitter({ line: (line) => this.#readLine(line), dropped: () => this.#dropLine() }, maxLine);
  }

  /** Lines and events dropped because they were longer than the cap. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Feeds the next bytes of the stream. */
  push(bytes: Uint8Array): void {
    if (!this.#ended) this.#lines.push(bytes);
  }

  /** Ends the stream: an unfinished line or event is discarded, as the spec says. */
  end(): void {
    if (this.#ended) return;
    this.#lines.end();
    this.#ended = true;
    this.#data = '';
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
      const value = fieldValue(line, colon);
      if (this.#broken) return;
      if (this.#data.length + value.length + 1 > this.#maxLine) {
        this.#dropLine();
        return;
      }
      this.#data = this.#hasData ? `${this.#data}\n${value}` : value;
      this.#hasData = true;
    } else if (field === 'event') {
      this.#event = fieldValue(line, colon);
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

function fieldValue(line: string, colon: number): string {
  if (colon === -1) return '';
  const from = line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
  return line.slice(from);
}
