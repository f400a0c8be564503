import { OutputEstimator } from '../output-estimate.js';
import { SseDecoder } from '../sse.js';
import { deltaTextLength, eventType } from '../stream-scan.js';
import { withExtras } from '../json-reader.js';
import type { BilledExtras, ResponseFacts, ResponseReader } from '../types.js';
import { isRecord, parseJson, recordAt, stringAt } from '../wire-values.js';
import { type MessagesUsageFields, messagesExtras, messagesTokenUsage, readUsageFields } from './usage.js';

/**
 * Reads a Messages SSE stream: id, model and first usage from
 * `message_start`; each `message_delta` usage replaces the counts it carries
 * (they are cumulative). `content_block_delta` events are scanned for the
 * output estimate, never parsed. What usage bills besides its counts (tool
 * uses, `iterations` steps, the tier) is read from the same events, the
 * later replacing what it reports. A stream cut before a `message_delta` usage
 * gives partial usage: input as reported, output the larger of the reported
 * count and the estimate.
 *
 * @example
 * const reader = new MessagesStreamReader();
 * for (const chunk of body) reader.push(chunk);
 * reader.finish().usage
 */
export class MessagesStreamReader implements ResponseReader {
  readonly #sse = new SseDecoder((event, data) => {
    this.#readEvent(event, data);
  });
  readonly #estimate = new OutputEstimator();
  #fields: MessagesUsageFields = {};
  #extras: BilledExtras = {};
  #complete = false;
  #model: string | undefined;
  #responseId: string | undefined;
  #streamError: string | undefined;

  push(chunk: Uint8Array): void {
    this.#sse.push(chunk);
  }

  finish(): ResponseFacts {
    this.#sse.end();
    const estimate = this.#estimate.tokens;
    const fields = this.#complete ? this.#fields : { ...this.#fields, output: Math.max(this.#fields.output ?? 0, estimate) };
    const usage = messagesTokenUsage(fields);
    const facts: ResponseFacts = {
      model: this.#model,
      responseId: this.#responseId,
      usage,
      usageComplete: this.#complete && usage !== undefined,
      providerCostUsd: undefined,
      outputTokenEstimate: estimate,
      ...(this.#streamError === undefined ? {} : { streamError: this.#streamError }),
    };
    return withExtras(facts, this.#extras);
  }

  #readEvent(event: string, data: string): void {
    const type = eventType(event, data);
    if (type === 'content_block_delta') {
      this.#estimate.addDelta(deltaTextLength(data));
      return;
    }
    if (type !== 'message_start' && type !== 'message_delta' && type !== 'error') return;
    const parsed = parseJson(data);
    if (!isRecord(parsed)) return;
    if (type === 'error') {
      // `overloaded_error` and the like, sent in-band once the 200 has gone.
      this.#streamError = stringAt(recordAt(parsed, 'error'), 'type') ?? 'error';
      return;
    }
    if (type === 'message_start') {
      const message = recordAt(parsed, 'message');
      this.#model = stringAt(message, 'model') ?? this.#model;
      this.#responseId = stringAt(message, 'id') ?? this.#responseId;
      this.#fields = { ...this.#fields, ...readUsageFields(message?.['usage']) };
      this.#extras = { ...this.#extras, ...messagesExtras(message?.['usage']) };
      return;
    }
    const update = readUsageFields(parsed['usage']);
    this.#fields = { ...this.#fields, ...update };
    // The steps `message_delta` lists (a compaction) are billed besides the counts it replaces.
    this.#extras = { ...this.#extras, ...messagesExtras(parsed['usage']) };
    if (update.output !== undefined) this.#complete = true;
  }
}
