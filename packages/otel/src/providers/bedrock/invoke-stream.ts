import { MessagesStreamReader } from '../anthropic/stream.js';
import { OutputEstimator } from '../output-estimate.js';
import { deltaTextLength } from '../stream-scan.js';
import type { ResponseFacts, TokenUsage } from '../types.js';
import { isRecord, parseJson, stringAt } from '../wire-values.js';
import { BedrockEventReader } from './event-reader.js';
import { invocationMetricsUsage } from './usage.js';

const utf8 = new TextDecoder('utf-8');
const METRICS_KEY = '"amazon-bedrock-invocationMetrics"';
// Each decoded chunk is handed to the Anthropic reader as one SSE event.
const SSE_DATA = new TextEncoder().encode('data: ');
const SSE_END = new TextEncoder().encode('\n\n');

/**
 * Reads an InvokeModelWithResponseStream answer: event stream `chunk`
 * messages whose `bytes` are base64 JSON of the model's own stream events.
 * Bedrock adds `amazon-bedrock-invocationMetrics` (the call's token counts)
 * to the last chunk; until it arrives, Anthropic models' events give the
 * model, id and partial usage (read by the Anthropic stream reader), and
 * any family's text deltas feed the output estimate.
 *
 * @example
 * const reader = new InvokeStreamReader({ model: 'anthropic.claude-3-haiku-20240307-v1:0', requestId });
 * reader.push(bytes);
 * reader.finish().usage
 */
export class InvokeStreamReader extends BedrockEventReader {
  readonly #anthropic = new MessagesStreamReader();
  readonly #estimate = new OutputEstimator();
  #metrics: TokenUsage | undefined;

  finish(): ResponseFacts {
    const inner = this.#anthropic.finish();
    return this.facts({ ...inner, outputTokenEstimate: Math.max(inner.outputTokenEstimate, this.#estimate.tokens) }, this.#metrics);
  }

  protected readEvent(type: string | undefined, body: Uint8Array): void {
    if (type !== 'chunk') return;
    const payload = parseJson(utf8.decode(body));
    const encoded = isRecord(payload) ? stringAt(payload, 'bytes') : undefined;
    if (encoded === undefined) return;
    const bytes = oneLine(Buffer.from(encoded, 'base64'));
    const text = utf8.decode(bytes);
    this.#estimate.addDelta(deltaTextLength(text));
    this.#anthropic.push(SSE_DATA);
    this.#anthropic.push(bytes);
    this.#anthropic.push(SSE_END);
    if (!text.includes(METRICS_KEY)) return;
    const chunk = parseJson(text);
    if (isRecord(chunk)) this.#metrics = invocationMetricsUsage(chunk['amazon-bedrock-invocationMetrics']) ?? this.#metrics;
  }
}

/** JSON with its raw line breaks (whitespace between tokens; inside strings they are escaped) made spaces, to fit one SSE line. */
function oneLine(bytes: Uint8Array): Uint8Array {
  if (!bytes.includes(0x0a) && !bytes.includes(0x0d)) return bytes;
  return bytes.map((byte) => (byte === 0x0a || byte === 0x0d ? 0x20 : byte));
}
