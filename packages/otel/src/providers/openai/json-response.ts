import type { JsonShape } from '../json-reader.js';
import type { JsonRecord } from '../wire-values.js';
import { chatCompletionsUsage, embeddingsUsage, responsesUsage } from './usage.js';

const CHAT_COMPLETIONS: JsonShape = Object.freeze({
  usage: chatCompletionsUsage,
  output: (body: JsonRecord) => body['choices'],
});

const RESPONSES: JsonShape = Object.freeze({
  usage: responsesUsage,
  output: (body: JsonRecord) => body['output'],
});

const EMBEDDINGS: JsonShape = Object.freeze({
  usage: embeddingsUsage,
  output: () => undefined,
});

/**
 * The JSON body shape of an OpenAI API: Chat Completions and legacy
 * Completions share one; Responses and Embeddings have their own.
 *
 * @example
 * new JsonResponseReader(openAiJsonShape('responses'))
 */
export function openAiJsonShape(api: string): JsonShape {
  switch (api) {
    case 'responses':
      return RESPONSES;
    case 'embeddings':
      return EMBEDDINGS;
    default:
      return CHAT_COMPLETIONS;
  }
}
