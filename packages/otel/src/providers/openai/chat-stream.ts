import { OutputEstimator } from '../output-estimate.js';
import { SseDecoder } from '../sse.js';
import { chatDeltaLength, hasUsageObject } from '../stream-scan.js';
import type { ResponseFacts, ResponseReader, TokenUsage } from '../types.js';
import { isRecord, parseJson, stringAt } from '../wire-values.js';
import { chatCompletionsUsage } from './usage.js';

/**
 * Reads a Chat Completions (or legacy Completions) SSE stream: model and id
 * from the first chunk, usage from the `include_usage` chunk before
 * `data: [DONE]`. Only those chunks are parsed; the others are scanned for
 * the output estimate. Keeps O(1) state.
 *
 * @example
 * const reader = new ChatStreamReader();
 * for (const chunk of body) reader.push(chunk);
 * reader.finish().usage
 */
export class ChatStreamReader implements ResponseReader {
  readonly #sse = new SseDecoder((_event, data) => {
    this.#readChunk(data);
  });
  readonly #estimate = new OutputEstimator();
  #firstChunkRead = false;
  #model: string | undefined;
  #responseId: string | undefined;
  #usage: TokenUsage | undefined;

  push(chunk: Uint8Array): void {
    this.#sse.push(chunk);
  }

  finish(): ResponseFacts {
    this.#sse.end();
    return {
      model: this.#model,
      responseId: this.#responseId,
      usage: this.#usage,
      usageComplete: this.#usage !== undefined,
      providerCostUsd: undefined,
      outputTokenEstimate: this.#estimate.tokens,
    };
  }

  #readChunk(data: string): void {
    if (data === '[DONE]') return;
    this.#estimate.addDelta(chatDeltaLength(data));
    const withUsage = hasUsageObject(data);
    if (this.#firstChunkRead && !withUsage) return;
    const chunk = parseJson(data);
    if (!isRecord(chunk)) return;
    if (!this.#firstChunkRead) {
      this.#firstChunkRead = true;
      this.#model = stringAt(chunk, 'model');
      this.#responseId = stringAt(chunk, 'id');
    }
    const usage = withUsage ? chatCompletionsUsage(chunk['usage']) : undefined;
    if (usage === undefined) return;
    this.#usage = usage;
    this.#model ??= stringAt(chunk, 'model');
    this.#responseId ??= stringAt(chunk, 'id');
  }
}
