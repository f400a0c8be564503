import { readOpenAiRequest } from '../openai/request.js';
import { requestFacts, type RequestShape } from '../request-facts.js';
import { textLength, tokensFromChars } from '../text-size.js';
import type { ProviderCall, RequestFacts } from '../types.js';
import { countAt, type JsonRecord, recordAt } from '../wire-values.js';

// Where each model family's InvokeModel body caps its output: Anthropic and most others, Nova, Meta, Titan, Mistral/Cohere.
const INVOKE_OUTPUT_CAPS: readonly ((body: JsonRecord) => number | undefined)[] = [
  (body) => countAt(body, 'max_tokens'),
  (body) => countAt(recordAt(body, 'inferenceConfig'), 'maxTokens') ?? countAt(recordAt(body, 'inferenceConfig'), 'max_new_tokens'),
  (body) => countAt(body, 'max_gen_len'),
  (body) => countAt(recordAt(body, 'textGenerationConfig'), 'maxTokenCount'),
  (body) => countAt(body, 'max_new_tokens'),
];

// Converse's shape: `system` and `messages` blocks, the cap in `inferenceConfig.maxTokens`.
const converseShape: RequestShape = {
  maxOutputTokens: (body) => countAt(recordAt(body, 'inferenceConfig'), 'maxTokens'),
  inputTokenEstimate: (body) => tokensFromChars(textLength(body['system']) + textLength(body['messages'])),
};

// InvokeModel passes the model's own body through: Messages-style, or a prompt string (Meta, Mistral), or Titan's `inputText`.
const invokeShape: RequestShape = {
  maxOutputTokens: (body) => {
    for (const cap of INVOKE_OUTPUT_CAPS) {
      const value = cap(body);
      if (value !== undefined) return value;
    }
    return undefined;
  },
  inputTokenEstimate: (body) =>
    tokensFromChars(textLength(body['system']) + textLength(body['messages']) + textLength(body['prompt']) + textLength(body['inputText'])),
};

/**
 * Reads a Bedrock runtime request: the model from the path, the stream flag
 * from the operation, the output cap and an input estimate from the body
 * (Converse's own shape, or the model family's body for InvokeModel). Never
 * throws: an unreadable body gives bodyLength / 4.
 *
 * @example
 * readBedrockRequest({ operation: 'chat', api: 'converse', model: 'amazon.nova-lite-v1:0' },
 *   { messages: [{ role: 'user', content: [{ text: 'Hello' }] }], inferenceConfig: { maxTokens: 64 } }, 80)
 * // { operation: 'chat', api: 'converse', model: 'amazon.nova-lite-v1:0', stream: false, maxOutputTokens: 64, inputTokenEstimate: 2 }
 */
export function readBedrockRequest(call: ProviderCall, body: unknown, bodyLength: number): RequestFacts {
  // OpenAI's Chat Completions names its model and stream flag in the body.
  if (call.api === 'chat_completions') return readOpenAiRequest(call, body, bodyLength);
  const converse = call.api === 'converse' || call.api === 'converse_stream';
  const facts = requestFacts(call, body, bodyLength, converse ? converseShape : invokeShape);
  return { ...facts, model: call.model, stream: call.api === 'converse_stream' || call.api === 'invoke_stream' };
}
