import { OutputEstimator } from '../output-estimate.js';
import { SseDecoder } from '../sse.js';
import { deltaTextLength, eventType } from '../stream-scan.js';
import type { ResponseFacts, ResponseReader, TokenUsage } from '../types.js';
import { isRecord, parseJson, recordAt, stringAt } from '../wire-values.js';
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
  readonly #estimate = new OutputEstimator();
  #responseId: string | undefined;
  #usage: TokenUsage | undefined;
  #ended = false;

  push(chunk: Uint8Array): void {
    this.#sse.push(chunk);
  }

  finish(): ResponseFacts {
    this.#sse.end();
    const facts: ResponseFacts = {
      model: undefined,
      responseId: this.#responseId,
      usage: this.#usage,
      usageComplete: this.#usage !== undefined,
      providerCostUsd: undefined,
      outputTokenEstimate: this.#estimate.tokens,
    };
    return this.#ended ? { ...facts, complete: true } : facts;
  }

  #readEvent(event: string, data: string): void {
    switch (eventType(event, data)) {
      case 'content-delta':
      case 'tool-call-delta':
        this.#estimate.addDelta(deltaTextLength(data));
        return;
      case 'tool-plan-delta':
        this.#estimate.addDelta(TOOL_PLAN_TEXT.exec(data)?.[1]?.length ?? 0);
        return;
      case 'message-start': {
        const parsed = parseJson(data);
        if (isRecord(parsed)) this.#responseId = stringAt(parsed, 'id') ?? this.#responseId;
        return;
      }
      case 'message-end': {
        const parsed = parseJson(data);
        if (!isRecord(parsed)) return;
        this.#ended = true;
        this.#usage = cohereChatUsage(recordAt(parsed, 'delta')?.['usage']) ?? this.#usage;
        return;
      }
      default:
        return;
    }
  }
}
