import type { JsonShape } from '../json-reader.js';
import type { JsonRecord } from '../wire-values.js';
import { type OpenAiDialect, openAiDialect } from './dialect.js';
import { chatExtras, responsesExtras } from './server-tools.js';

/** The JSON body shape of each OpenAI API, in one provider's dialect. */
export interface OpenAiJsonShapes {
  readonly chat: JsonShape;
  readonly responses: JsonShape;
  readonly embeddings: JsonShape;
}

const choices = (body: JsonRecord): unknown => body['choices'];
const output = (body: JsonRecord): unknown => body['output'];
const nothing = (): unknown => undefined;
const NO_KEYS: readonly string[] = Object.freeze([]);

/**
 * The JSON body shapes of the OpenAI APIs in a dialect, built once per
 * adapter: Chat Completions and legacy Completions share one; Responses and
 * Embeddings have their own.
 *
 * @example
 * const shapes = openAiJsonShapes(openAiDialect);
 * new JsonResponseReader(shapes.chat)
 */
export function openAiJsonShapes(dialect: OpenAiDialect): OpenAiJsonShapes {
  // A dialect's own bodyExtras may read any key (Groq's usage_breakdown): its bodies are parsed whole.
  const chatBodyKeys = dialect.bodyExtras === openAiDialect.bodyExtras ? NO_KEYS : undefined;
  return Object.freeze({
    chat: Object.freeze({
      usage: dialect.chatUsage,
      output: choices,
      cost: dialect.cost,
      extras: chatExtras(dialect.usageExtras, dialect.bodyExtras),
      bodyKeys: chatBodyKeys,
    }),
    responses: Object.freeze({
      usage: dialect.responsesUsage,
      output,
      cost: dialect.cost,
      extras: (usage: unknown, body: JsonRecord | undefined) => ({ ...dialect.usageExtras(usage), ...responsesExtras(usage, body) }),
    }),
    embeddings: Object.freeze({ usage: dialect.embeddingsUsage, output: nothing, cost: dialect.cost, bodyKeys: NO_KEYS }),
  });
}

const OPENAI_SHAPES = openAiJsonShapes(openAiDialect);

/**
 * The shape of an API's JSON body among a dialect's shapes.
 *
 * @example
 * new JsonResponseReader(openAiJsonShape('responses'))
 */
export function openAiJsonShape(api: string, shapes: OpenAiJsonShapes = OPENAI_SHAPES): JsonShape {
  switch (api) {
    case 'responses':
      return shapes.responses;
    case 'embeddings':
      return shapes.embeddings;
    default:
      return shapes.chat;
  }
}
