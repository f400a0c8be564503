import { OutputEstimator } from '../output-estimate.js';
import { SseDecoder } from '../sse.js';
import { chatDeltaLength, hasUsageObject } from '../stream-scan.js';
import { TailBuffer } from '../tail-buffer.js';
import type { ResponseFacts, ResponseReader, TokenUsage } from '../types.js';
import { isRecord, parseJson, stringAt } from '../wire-values.js';
import { chatCompletionsUsage } from './usage.js';

/** Bytes of the stream's end kept to find the usage chunk; it comes last, before `[DONE]`. */
const TAIL_BYTES = 16 * 1024;

/**
 * Reads a Chat Completions (or legacy Completions) SSE stream with no work
 * per event in its middle: the first event is decoded for the model and id,
 * every byte is counted, and only the last 16 KiB are kept — and decoded
 * once, when the stream ends — for the `include_usage` chunk. A stream
 * whose usage never arrives is estimated at one output token per event (as
 * OpenAI streams one token per chunk), from the events of that tail and the
 * stream's size. O(1) state, and the same facts however the bytes are split.
 *
 * @example
 * const reader = new ChatStreamReader();
 * for (const chunk of body) reader.push(chunk);
 * reader.finish().usage
 */
export class ChatStreamReader implements ResponseReader {
  readonly #head = new SseDecoder((_event, data) => this.#readHead(data));
  readonly #tail = new TailBuffer(TAIL_BYTES);
  #headRead = false;
  #model: string | undefined;
  #responseId: string | undefined;

  push(chunk: Uint8Array): void {
    if (!this.#headRead) this.#head.push(chunk);
    this.#tail.push(chunk);
  }

  finish(): ResponseFacts {
    let usage: TokenUsage | undefined;
    let done = false;
    let events = 0;
    let eventChars = 0;
    const estimate = new OutputEstimator();
    const decoder = new SseDecoder((_event, data) => {
      if (data === '[DONE]') {
        done = true;
        return;
      }
      events += 1;
      eventChars += data.length;
      if (!hasUsageObject(data)) {
        estimate.addDelta(chatDeltaLength(data));
        return;
      }
      const chunk = parseJson(data);
      const found = isRecord(chunk) ? chatCompletionsUsage(chunk['usage']) : undefined;
      if (found === undefined) return;
      usage = found;
      this.#model ??= stringAt(chunk as Record<string, unknown>, 'model');
      this.#responseId ??= stringAt(chunk as Record<string, unknown>, 'id');
    });
    decoder.push(this.#tail.wholeEvents());
    decoder.end();
    return {
      model: this.#model,
      responseId: this.#responseId,
      usage,
      usageComplete: usage !== undefined,
      providerCostUsd: undefined,
      outputTokenEstimate: this.#tail.truncated && events > 0 ? Math.round((this.#tail.total / (eventChars + 8 * events)) * events) : estimate.tokens,
      ...(done ? { complete: true } : {}),
    };
  }

  #readHead(data: string): void {
    if (this.#headRead || data === '[DONE]') return;
    const chunk = parseJson(data);
    if (!isRecord(chunk)) return;
    this.#headRead = true;
    this.#model = stringAt(chunk, 'model');
    this.#responseId = stringAt(chunk, 'id');
  }
}
