import { LineSplitter } from './line-splitter.js';

/**
 * Incremental decoder of a JSON Lines stream (one JSON value a line, as
 * Cohere's v1 chat streams and `application/x-ndjson` APIs send), with
 * bounded memory. Lines end at LF, CRLF or a lone CR; empty lines are
 * skipped. Never throws: bad UTF-8 becomes U+FFFD, an oversized line is
 * dropped and counted.
 *
 * @example
 * const decoder = new JsonLinesDecoder((line) => console.log(line));
 * decoder.push(new TextEncoder().encode('{"event_type":"stream-start"}\n'));
 * decoder.end();
 */
export class JsonLinesDecoder {
  readonly #onLine: (line: string) => void;
  readonly #lines: LineSplitter;
  #ended = false;
  #dropped = 0;

  /** `maxLine` in UTF-16 units: about 1 MiB of JSON by default, as for SSE. */
  constructor(onLine: (line: string) => void, maxLine = 1_048_576) {
    this.#onLine = onLine;
    this.#lines = new LineSplitter({ line: (line) => this.#deliver(line), dropped: () => (this.#dropped += 1) }, maxLine);
  }

  /** Lines dropped because they were longer than the cap. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Feeds the next bytes of the stream. */
  push(bytes: Uint8Array): void {
    if (!this.#ended) this.#lines.push(bytes);
  }

  /** Ends the stream: a last line without its line end is still a line (JSON Lines does not require the final newline). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#deliver(this.#lines.end());
  }

  #deliver(line: string): void {
    if (line.trim().length === 0) return;
    try {
      this.#onLine(line);
    } catch {
      // A listener's bug must not stop the lines after it.
    }
  }
}
