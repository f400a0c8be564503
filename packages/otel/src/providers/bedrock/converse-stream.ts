import { OutputEstimator } from '../output-estimate.js';
import { noResponseFacts } from '../response-facts.js';
import { deltaTextLength } from '../stream-scan.js';
import type { MediaTokens, ResponseFacts, TokenUsage } from '../types.js';
import { isRecord, parseJson } from '../wire-values.js';
import { BedrockEventReader } from './event-reader.js';
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
export class ConverseStreamReader extends BedrockEventReader {
  readonly #estimate = new OutputEstimator();
  #usage: TokenUsage | undefined;
  #serviceTier: string | undefined;
  #mediaTokens: Partial<MediaTokens> | undefined;

  finish(): ResponseFacts {
    const facts: ResponseFacts = { ...noResponseFacts(), outputTokenEstimate: this.#estimate.tokens };
    if (this.#serviceTier !== undefined) facts.serviceTier = this.#serviceTier;
    if (this.#mediaTokens !== undefined) facts.mediaTokens = this.#mediaTokens;
    return this.facts(facts, this.#usage);
  }

  protected readEvent(type: string | undefined, payload: Uint8Array): void {
    if (type === 'contentBlockDelta') {
      this.#estimate.addDelta(deltaTextLength(utf8.decode(payload)));
      return;
    }
    if (type !== 'metadata') return;
    const parsed = parseJson(utf8.decode(payload));
    if (!isRecord(parsed)) return;
    this.#usage = converseUsage(parsed['usage']) ?? this.#usage;
    // The metadata event carries the one-hour cache writes and the tier as the JSON answer does.
    const extras = converseExtras(parsed['usage'], parsed);
    this.#serviceTier = extras.serviceTier ?? this.#serviceTier;
    this.#mediaTokens = extras.mediaTokens ?? this.#mediaTokens;
  }
}
