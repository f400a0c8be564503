import { OutputEstimator } from '../output-estimate.js';
import { noResponseFacts } from '../response-facts.js';
import { deltaTextLength } from '../stream-scan.js';
import type { MediaTokens, ResponseFacts, ResponseReader, TokenUsage } from '../types.js';
import { isRecord, parseJson } from '../wire-values.js';
import { EventStreamDecoder, type EventStreamMessage, streamErrorOf } from './event-stream.js';
import { type BedrockNames, bedrockFacts } from './facts.js';
import { converseExtras } from './json-response.js';
import { converseUsage } from './usage.js';

const utf8 = new TextDecoder('utf-8');

/**
 * Reads a ConverseStream answer: binary event stream messages whose
 * `:event-type` is `messageStart`, `contentBlockDelta`…, `messageStop`,
 * then `metadata`, which carries the call's usage. Deltas are scanned for
 * the output estimate, never parsed; an `exception` message ends the
 * answer without usage. Model and response id come from the request and
 * its headers (the stream names neither).
 *
 * @example
 * const reader = new ConverseStreamReader({ model: 'amazon.nova-lite-v1:0', requestId });
 * reader.push(bytes);
 * reader.finish().usage
 */
export class ConverseStreamReader implements ResponseReader {
  readonly #decoder = new EventStreamDecoder((message) => {
    this.#readMessage(message);
  });
  readonly #estimate = new OutputEstimator();
  readonly #names: BedrockNames;
  #usage: TokenUsage | undefined;
  #streamError: string | undefined;
  #serviceTier: string | undefined;
  #mediaTokens: Partial<MediaTokens> | undefined;

  constructor(names: BedrockNames) {
    this.#names = names;
  }

  push(chunk: Uint8Array): void {
    this.#decoder.push(chunk);
  }

  finish(): ResponseFacts {
    const facts: ResponseFacts = { ...noResponseFacts(), outputTokenEstimate: this.#estimate.tokens };
    if (this.#streamError !== undefined) facts.streamError = this.#streamError;
    if (this.#serviceTier !== undefined) facts.serviceTier = this.#serviceTier;
    if (this.#mediaTokens !== undefined) facts.mediaTokens = this.#mediaTokens;
    return bedrockFacts(facts, this.#names, this.#usage);
  }

  #readMessage(message: EventStreamMessage): void {
    this.#streamError ??= streamErrorOf(message);
    if (message.headers.get(':message-type') !== 'event') return;
    const type = message.headers.get(':event-type');
    if (type === 'contentBlockDelta') {
      this.#estimate.addDelta(deltaTextLength(utf8.decode(message.payload)));
      return;
    }
    if (type !== 'metadata') return;
    const parsed = parseJson(utf8.decode(message.payload));
    if (!isRecord(parsed)) return;
    this.#usage = converseUsage(parsed['usage']) ?? this.#usage;
    // The metadata event carries the one-hour cache writes and the tier as the JSON answer does.
    const extras = converseExtras(parsed['usage'], parsed);
    this.#serviceTier = extras.serviceTier ?? this.#serviceTier;
    this.#mediaTokens = extras.mediaTokens ?? this.#mediaTokens;
  }
}
