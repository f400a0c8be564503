/**
 * The Bedrock fake's token accounting: pure functions of the request body
 * (and the model id), so a test can compute the exact usage it must observe.
 *
 * Converse, and InvokeModel on Amazon Nova (the same body shape): input
 * `T = ceil(C / 4)` where `C` counts the `text` of every `system` block and
 * of every `messages[].content` block; the reply is the first
 * `N = min(24, inferenceConfig.maxTokens)` words of the canned reply. A
 * `cachePoint` block anywhere asks for caching: a first turn (one message)
 * writes `K = floor(T / 2)` tokens, a later turn reads them; like Bedrock,
 * `inputTokens` then EXCLUDES them (`T - K`).
 *
 * InvokeModel on Anthropic models: exactly the OpenAI/Anthropic fake's
 * `anthropic.messages` accounting (see `usage.ts`). Titan embeddings:
 * `ceil(inputText.length / 4)` input tokens, no output.
 */
import type { RequestBody } from '../api.js';
import { cannedWords, eachMember, partsChars, textTokens } from '../cloud/reply.js';
import { expectedUsage } from '../usage.js';

/** `usage` of a Converse answer (and of ConverseStream's `metadata` event), as on the wire. */
export interface ConverseUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}

/** Token counts in the terms of InvokeModel's response headers: input excludes the cache. */
export interface BedrockTokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** The wire format an InvokeModel body is in, by the model id's family. */
export type InvokeFamily = 'anthropic' | 'nova' | 'titan-embed';

/**
 * The family of a model id (`us.anthropic.claude-…`, `amazon.nova-…`, `amazon.titan-embed-…`).
 *
 * @example
 * invokeFamily('us.anthropic.claude-3-5-haiku-20241022-v1:0') // 'anthropic'
 */
export function invokeFamily(model: string): InvokeFamily {
  if (model.includes('anthropic.')) return 'anthropic';
  return model.includes('embed') ? 'titan-embed' : 'nova';
}

function record(value: unknown): RequestBody | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as RequestBody) : undefined;
}

function hasCachePoint(blocks: unknown): boolean {
  return Array.isArray(blocks) && blocks.some((block) => record(block)?.['cachePoint'] != null);
}

/**
 * The reply words of a Converse (or Nova InvokeModel) request.
 *
 * @example
 * converseReplyWords({ inferenceConfig: { maxTokens: 1 } }) // ['This']
 */
export function converseReplyWords(body: RequestBody): readonly string[] {
  return cannedWords(record(body['inferenceConfig'])?.['maxTokens']);
}

/**
 * The usage the Bedrock fake reports for a Converse request body.
 *
 * @example
 * expectedConverseUsage({ messages: [{ role: 'user', content: [{ text: 'Say hi' }] }] })
 * // { inputTokens: 2, outputTokens: 24, totalTokens: 26, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }
 */
export function expectedConverseUsage(body: RequestBody): ConverseUsage {
  const contents = eachMember(body['messages'], 'content');
  const total = textTokens(partsChars(body['system']) + contents.reduce<number>((sum, blocks) => sum + partsChars(blocks), 0));
  const cached = hasCachePoint(body['system']) || contents.some(hasCachePoint) ? Math.floor(total / 2) : 0;
  const written = contents.length <= 1 ? cached : 0;
  const output = converseReplyWords(body).length;
  return {
    inputTokens: total - cached,
    outputTokens: output,
    totalTokens: total + output,
    cacheReadInputTokens: cached - written,
    cacheWriteInputTokens: written,
  };
}

/**
 * The counts the Bedrock fake reports for an InvokeModel body on `model`
 * (in its response headers, and in a stream's invocation metrics).
 *
 * @example
 * expectedInvokeCounts('amazon.titan-embed-text-v2:0', { inputText: 'budget gate' }) // { input: 3, output: 0, cacheRead: 0, cacheWrite: 0 }
 */
export function expectedInvokeCounts(model: string, body: RequestBody): BedrockTokenCounts {
  switch (invokeFamily(model)) {
    case 'anthropic': {
      const usage = expectedUsage('anthropic.messages', body);
      return {
        input: usage.input_tokens,
        output: usage.output_tokens,
        cacheRead: usage.cache_read_input_tokens,
        cacheWrite: usage.cache_creation_input_tokens,
      };
    }
    case 'titan-embed': {
      const text = body['inputText'];
      return { input: textTokens(typeof text === 'string' ? text.length : 0), output: 0, cacheRead: 0, cacheWrite: 0 };
    }
    case 'nova': {
      const usage = expectedConverseUsage(body);
      return { input: usage.inputTokens, output: usage.outputTokens, cacheRead: usage.cacheReadInputTokens, cacheWrite: usage.cacheWriteInputTokens };
    }
  }
}
