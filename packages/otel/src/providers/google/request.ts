import { readAnthropicRequest } from '../anthropic/request.js';
import { readOpenAiRequest } from '../openai/request.js';
import { requestFacts, type RequestShape } from '../request-facts.js';
import { textLength, tokensFromChars } from '../text-size.js';
import type { ProviderCall, RequestFacts } from '../types.js';
import { countAt, isRecord, recordAt } from '../wire-values.js';

// generateContent: `systemInstruction` and `contents` parts; the cap (thinking included) in `generationConfig`.
const generateShape: RequestShape = {
  maxOutputTokens: (body) => countAt(recordAt(body, 'generationConfig'), 'maxOutputTokens'),
  inputTokenEstimate: (body) => tokensFromChars(textLength(body['systemInstruction']) + textLength(body['contents'])),
};

// embedContent has one `content`, batchEmbedContents a list of `requests`, each with its own.
const embedShape: RequestShape = {
  maxOutputTokens: () => 0,
  inputTokenEstimate: (body) => tokensFromChars(textLength(body['content']) + textLength(body['requests'])),
};

// Vertex AI's :predict embeds each `instances[].content` (a string, or Content parts).
const predictShape: RequestShape = {
  maxOutputTokens: () => 0,
  inputTokenEstimate: (body) => tokensFromChars(textLength(body['instances'])),
};

// Imagen's :predict: the prompt of each instance; no tokens out, images.
const predictImagesShape: RequestShape = {
  maxOutputTokens: () => 0,
  inputTokenEstimate: (body) => tokensFromChars(promptChars(body['instances'])),
};

/**
 * Reads a Google request: the model from the path, the stream flag from the
 * method (`:streamGenerateContent`, `:streamRawPredict`), the output cap
 * and an input estimate from the body — Gemini's shape, Anthropic's
 * Messages for Claude on Vertex AI, or OpenAI's Chat Completions (model and
 * stream flag in the body) on Vertex AI's OpenAI-compatible endpoint. Never throws.
 *
 * @example
 * readGoogleRequest({ operation: 'generate_content', api: 'generate_content', model: 'gemini-2.5-flash' },
 *   { contents: [{ role: 'user', parts: [{ text: 'Hello' }] }], generationConfig: { maxOutputTokens: 64 } }, 90)
 * // { …, model: 'gemini-2.5-flash', stream: false, maxOutputTokens: 64, inputTokenEstimate: 2 }
 */
export function readGoogleRequest(call: ProviderCall, body: unknown, bodyLength: number): RequestFacts {
  // OpenAI's Chat Completions names its model and stream flag in the body.
  if (call.api === 'chat_completions') return readOpenAiRequest(call, body, bodyLength);
  const facts =
    call.api === 'messages' || call.api === 'messages_stream'
      ? readAnthropicRequest(call, body, bodyLength)
      : requestFacts(
          call,
          body,
          bodyLength,
          call.api === 'embed_content'
            ? embedShape
            : call.api === 'predict_embeddings'
              ? predictShape
              : call.api === 'predict_images'
                ? predictImagesShape
                : generateShape,
        );
  return { ...facts, model: call.model ?? facts.model, stream: call.api === 'stream_generate_content' || call.api === 'messages_stream' };
}

function promptChars(instances: unknown): number {
  if (!Array.isArray(instances)) return 0;
  let total = 0;
  for (const instance of instances) if (isRecord(instance) && typeof instance['prompt'] === 'string') total += instance['prompt'].length;
  return total;
}
