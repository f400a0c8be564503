import type { ResponseFacts, ResponseReader, TokenUsage } from '../types.js';
import { EventStreamDecoder, type EventStreamMessage, streamErrorOf } from './event-stream.js';
import { type BedrockNames, bedrockFacts } from './facts.js';

/**
 * What every Bedrock event-stream answer (ConverseStream,
 * InvokeModelWithResponseStream) is read with: messages decoded as the
 * bytes arrive, the first exception or error message kept as the stream's
 * error, and each event handed to `readEvent` by its `:event-type`.
 *
 * @example
 * class MyStreamReader extends BedrockEventReader {
 *   protected readEvent(type: string | undefined, payload: Uint8Array): void { … }
 *   finish(): ResponseFacts { return this.facts(noResponseFacts(), undefined); }
 * }
 */
export abstract class BedrockEventReader implements ResponseReader {
  readonly #decoder = new EventStreamDecoder((message) => {
    this.#read(message);
  });
  readonly #names: BedrockNames;
  #streamError: string | undefined;

  constructor(names: BedrockNames) {
    this.#names = names;
  }

  push(chunk: Uint8Array): void {
    this.#decoder.push(chunk);
  }

  abstract finish(): ResponseFacts;

  /** Reads one event message: its `:event-type` and its payload. */
  protected abstract readEvent(type: string | undefined, payload: Uint8Array): void;

  /** `facts` with the stream's error, named as the request and its headers name them, with the usage Bedrock reported (if any). */
  protected facts(facts: ResponseFacts, reported: TokenUsage | undefined): ResponseFacts {
    if (this.#streamError !== undefined) facts.streamError = this.#streamError;
    return bedrockFacts(facts, this.#names, reported);
  }

  #read(message: EventStreamMessage): void {
    this.#streamError ??= streamErrorOf(message);
    if (message.headers.get(':message-type') === 'event') this.readEvent(message.headers.get(':event-type'), message.payload);
  }
}
