import { messagesExtras, messagesUsage } from '../anthropic/usage.js';
import { JsonResponseReader, type JsonShape } from '../json-reader.js';
import type { BilledExtras, ResponseFacts, ResponseReader, TokenUsage } from '../types.js';
import { type JsonRecord, recordAt, stringAt } from '../wire-values.js';
import { type BedrockNames, bedrockFacts } from './facts.js';
import { converseCacheWrite1h, converseUsage } from './usage.js';

/**
 * What a Converse answer bills besides its four counts: the tokens of
 * `cacheWriteInputTokens` written with a one-hour TTL (`usage.cacheDetails`),
 * priced above the five-minute ones, and the tier it was served on
 * (`serviceTier.type`: `default`, `flex`, `priority`, `reserved`).
 *
 * @example
 * converseExtras({ inputTokens: 3, outputTokens: 9, cacheDetails: [{ ttl: '1h', inputTokens: 2048 }] }, { serviceTier: { type: 'flex' } })
 * // { mediaTokens: { cacheWrite1h: 2048 }, serviceTier: 'flex' }
 */
export function converseExtras(usage: unknown, body: JsonRecord | undefined): BilledExtras {
  const extras: BilledExtras = {};
  const cacheWrite1h = converseCacheWrite1h(usage);
  if (cacheWrite1h !== undefined) extras.mediaTokens = { cacheWrite1h };
  const tier = stringAt(recordAt(body, 'serviceTier'), 'type');
  if (tier !== undefined) extras.serviceTier = tier;
  return extras;
}

/** The Converse JSON answer: `usage` at the top, the reply in `output.message.content`. */
export const converseJsonShape: JsonShape = Object.freeze({
  usage: converseUsage,
  extras: converseExtras,
  output: (body: JsonRecord) => body['output'],
});

/**
 * An InvokeModel body in the model's own shape: Anthropic's `usage` (snake
 * case) or Nova's (camel case). A Claude body bills what Anthropic's does
 * besides its counts (one-hour cache writes, `iterations` steps, server
 * tools), read by the same code.
 */
export const invokeJsonShape: JsonShape = Object.freeze({
  usage: (usage: unknown) => messagesUsage(usage) ?? converseUsage(usage),
  extras: (usage: unknown) => messagesExtras(usage),
  // Anthropic's `content`, Nova's `output`, Titan's `results`, Meta's `generation`, Mistral's `outputs`.
  output: (body: JsonRecord) => [body['content'], body['output'], body['results'], body['generation'], body['outputs']],
});

/**
 * Reads a Bedrock JSON answer (Converse or InvokeModel). Usage reported in
 * the response headers (InvokeModel's `x-amzn-bedrock-*-token-count`, the
 * same for every model family) wins over the body's (see {@link bedrockFacts}).
 *
 * @example
 * const reader = new BedrockJsonReader(invokeJsonShape, { model: 'us.anthropic.claude-3-5-haiku-20241022-v1:0', requestId }, headerUsage(header));
 */
export class BedrockJsonReader implements ResponseReader {
  readonly #body: JsonResponseReader;
  readonly #names: BedrockNames;
  readonly #headerUsage: TokenUsage | undefined;

  constructor(shape: JsonShape, names: BedrockNames, headerUsage: TokenUsage | undefined) {
    this.#body = new JsonResponseReader(shape);
    this.#names = names;
    this.#headerUsage = headerUsage;
  }

  push(chunk: Uint8Array): void {
    this.#body.push(chunk);
  }

  finish(): ResponseFacts {
    return bedrockFacts(this.#body.finish(), this.#names, this.#headerUsage);
  }
}
