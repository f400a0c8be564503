import { SseDecoder } from '../sse.js';
import { deltaTextLength, eventType } from '../stream-scan.js';
import type { ResponseFacts, ResponseReader } from '../types.js';
import { isRecord, parseJson, recordAt, stringAt } from '../wire-values.js';
import { CohereStreamFacts } from './stream-facts.js';
import { cohereChatUsage } from './usage.js';

// Cohere's tool plan streams as `tool_plan` text, a key the shared delta scan does not know.
const TOOL_PLAN_TEXT = /"tool_plan"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"/;

/**
 * Reads a Cohere v2 chat SSE stream (`event: <type>` plus `data:` with the
 * same `type`): the id from `message-start`, the usage from `message-end`'s
 * `delta.usage` (billed units), and — for a stream cut before it — an output
 * estimate from the text, tool-plan and tool-argument deltas, which are
 * scanned, never parsed. The stream names no model: the request's is priced.
 *
 * @example
 * const reader = new CohereChatStreamReader();
 * for (const chunk of body) reader.push(chunk);
 * reader.finish().usage
 */
export class CohereChatStreamReader implements ResponseReader {
  readonly #sse = new SseDecoder((event, data) => {
    this.#readEvent(event, data);
  });
  readonly #seen = new CohereStreamFacts();

  push(chunk: Uint8Array): void {
    this.#sse.push(chunk);
  }

  finish(): ResponseFacts {
    this.#sse.end();
    return this.#seen.facts();
  }

  #readEvent(event: string, data: string): void {
    switch (eventType(event, data)) {
      case 'content-delta':
      case 'tool-call-delta':
        this.#seen.estimate.addDelta(deltaTextLength(data));
        return;
      case 'tool-plan-delta':
        this.#seen.estimate.addDelta(TOOL_PLAN_TEXT.exec(data)?.[1]?.length ?? 0);
        return;
      case 'message-start': {
        const parsed = parseJson(data);
        if (isRecord(parsed)) this.#seen.responseId = stringAt(parsed, 'id') ?? this.#seen.responseId;
        return;
      }
      case 'message-end': {
        const parsed = parseJson(data);
        if (!isRecord(parsed)) return;
        this.#seen.ended = true;
        this.#seen.usage = cohereChatUsage(recordAt(parsed, 'delta')?.['usage']) ?? this.#seen.usage;
        return;
      }
      default:
        return;
    }
  }
}
