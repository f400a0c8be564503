import { tokenUsage } from '../token-usage.js';
import type { HeaderLookup, TokenUsage } from '../types.js';
import { countAt, isRecord, stringAt, toCount } from '../wire-values.js';

/** Where one Bedrock shape keeps its input, output, cache-read and cache-write counts. */
type CountKeys = readonly [input: string, output: string, cacheRead: string, cacheWrite: string];

const CONVERSE_KEYS: CountKeys = ['inputTokens', 'outputTokens', 'cacheReadInputTokens', 'cacheWriteInputTokens'];
const METRICS_KEYS: CountKeys = ['inputTokenCount', 'outputTokenCount', 'cacheReadInputTokenCount', 'cacheWriteInputTokenCount'];
const HEADER_KEYS: CountKeys = [
  'x-amzn-bedrock-input-token-count',
  'x-amzn-bedrock-output-token-count',
  'x-amzn-bedrock-cache-read-input-token-count',
  'x-amzn-bedrock-cache-write-input-token-count',
];

/**
 * TokenUsage from Bedrock's four counts, read by `count`: the input count
 * EXCLUDES the tokens read from or written to the prompt cache (like
 * Anthropic's), so the total input adds them back. Undefined without input
 * and output counts.
 */
function bedrockUsage(keys: CountKeys, count: (key: string) => number | undefined): TokenUsage | undefined {
  const input = count(keys[0]);
  const output = count(keys[1]);
  if (input === undefined || output === undefined) return undefined;
  const cacheRead = count(keys[2]) ?? 0;
  const cacheWrite = count(keys[3]) ?? 0;
  return tokenUsage({ input: input + cacheRead + cacheWrite, output, cacheRead, cacheWrite });
}

/**
 * TokenUsage from a Converse `usage` object (the JSON answer, and
 * ConverseStream's `metadata` event).
 *
 * @example
 * converseUsage({ inputTokens: 12, outputTokens: 40, totalTokens: 2100, cacheReadInputTokens: 2048 })
 * // { input: 2060, output: 40, cacheRead: 2048, cacheWrite: 0, reasoning: 0 }
 */
export function converseUsage(usage: unknown): TokenUsage | undefined {
  return isRecord(usage) ? bedrockUsage(CONVERSE_KEYS, (key) => countAt(usage, key)) : undefined;
}

/**
 * The part of a Converse `usage` object's `cacheWriteInputTokens` written
 * with a one-hour TTL, from its `cacheDetails` (one `{ ttl, inputTokens }`
 * per TTL, https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html);
 * undefined when none was.
 *
 * @example
 * converseCacheWrite1h({ inputTokens: 3, outputTokens: 9, cacheWriteInputTokens: 2100, cacheDetails: [{ ttl: '1h', inputTokens: 2048 }, { ttl: '5m', inputTokens: 52 }] })
 * // 2048
 */
export function converseCacheWrite1h(usage: unknown): number | undefined {
  const details = isRecord(usage) ? usage['cacheDetails'] : undefined;
  if (!Array.isArray(details)) return undefined;
  let tokens = 0;
  for (const detail of details) if (isRecord(detail) && stringAt(detail, 'ttl') === '1h') tokens += countAt(detail, 'inputTokens') ?? 0;
  return tokens > 0 ? tokens : undefined;
}

/**
 * TokenUsage from the `amazon-bedrock-invocationMetrics` object that
 * InvokeModelWithResponseStream adds to its last chunk.
 *
 * @example
 * invocationMetricsUsage({ inputTokenCount: 12, outputTokenCount: 40, invocationLatency: 900, firstByteLatency: 300 })
 * // { input: 12, output: 40, cacheRead: 0, cacheWrite: 0, reasoning: 0 }
 */
export function invocationMetricsUsage(metrics: unknown): TokenUsage | undefined {
  return isRecord(metrics) ? bedrockUsage(METRICS_KEYS, (key) => countAt(metrics, key)) : undefined;
}

/**
 * TokenUsage from InvokeModel's response headers
 * (`x-amzn-bedrock-input-token-count`, `-output-token-count`, and the
 * cache read/write counts), whatever the model's body looks like.
 *
 * @example
 * headerUsage((name) => ({ 'x-amzn-bedrock-input-token-count': '12', 'x-amzn-bedrock-output-token-count': '40' })[name])
 * // { input: 12, output: 40, cacheRead: 0, cacheWrite: 0, reasoning: 0 }
 */
export function headerUsage(header: HeaderLookup | undefined): TokenUsage | undefined {
  return header === undefined ? undefined : bedrockUsage(HEADER_KEYS, (name) => headerCount(header, name));
}

function headerCount(header: HeaderLookup, name: string): number | undefined {
  const value = header(name)?.trim();
  // Only plain digits: `Number('')` is 0 and `Number('1e3')` is 1000, neither a count on this wire.
  return value !== undefined && /^\d{1,15}$/.test(value) ? toCount(Number(value)) : undefined;
}
