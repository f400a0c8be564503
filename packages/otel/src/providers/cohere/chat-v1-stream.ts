import { JsonLinesDecoder } from '../json-lines.js';
import { deltaTextLength } from '../stream-scan.js';
import type { ResponseFacts, ResponseReader } from '../types.js';
import { isRecord, parseJson, recordAt, stringAt } from '../wire-values.js';
import { CohereStreamFacts } from './stream-facts.js';
import { cohereChatUsage } from './usage.js';

const EVENT_TYPE = /"event_type"\s*:\s*"([^"\\]*)"/;
// A v1 tool call streams its arguments as `parameters` text, a key the shared delta scan does not know.
const PARAMETERS_TEXT = /"parameters"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"/;

/**
 * Reads a Cohere v1 chat stream: JSON Lines (`application/stream+json`),
 * one event a line, each with its `event_type`. The usage is in the last
 * event, `stream-end`, whose `response.meta` holds the billed units; for a
 * stream cut before it, the output is estimated from the `text-generation`
 * text and the tool calls' `parameters`, which are scanned, never parsed.
 * The stream names no model: the request's is priced.
 *
 * @example
 * const reader = new CohereChatV1StreamReader();
 * for (const chunk of body) reader.push(chunk);
 * reader.finish().usage
 */
export class CohereChatV1StreamReader implements ResponseReader {
  readonly #lines = new JsonLinesDecoder((line) => {
    this.#readEvent(line);
  });
  readonly #seen = new CohereStreamFacts();

  push(chunk: Uint8Array): void {
    this.#lines.push(chunk);
  }

  finish(): ResponseFacts {
    this.#lines.end();
    return this.#seen.facts();
  }

  #readEvent(line: string): void {
    switch (EVENT_TYPE.exec(line)?.[1]) {
      case 'text-generation':
        this.#seen.estimate.addDelta(deltaTextLength(line));
        return;
      case 'tool-calls-chunk':
        this.#seen.estimate.addDelta(PARAMETERS_TEXT.exec(line)?.[1]?.length ?? deltaTextLength(line));
        return;
      case 'stream-end': {
        const parsed = parseJson(line);
        const response = recordAt(isRecord(parsed) ? parsed : undefined, 'response');
        if (response === undefined) return;
        this.#seen.ended = true;
        this.#seen.responseId = stringAt(response, 'response_id') ?? this.#seen.responseId;
        this.#seen.usage = cohereChatUsage(response['meta']) ?? this.#seen.usage;
        return;
      }
      default:
        return;
    }
  }
}
