import type { OperationName, ProviderCall } from '../types.js';

/** The Google wire formats costctl reads: Gemini's, and Anthropic Messages and OpenAI Chat Completions served by Vertex AI. */
export type GoogleApi =
  | 'generate_content'
  | 'stream_generate_content'
  | 'batch_generate_content'
  | 'embed_content'
  | 'predict_embeddings'
  | 'predict_images'
  | 'messages'
  | 'messages_stream'
  | 'chat_completions';

type Verb = Readonly<{ operation: OperationName; api: GoogleApi }>;

/** Gemini's methods, the `:verb` ending a model path. */
const GEMINI_VERBS: Readonly<Record<string, Verb>> = Object.freeze({
  generateContent: { operation: 'generate_content', api: 'generate_content' },
  streamGenerateContent: { operation: 'generate_content', api: 'stream_generate_content' },
  embedContent: { operation: 'embeddings', api: 'embed_content' },
  batchEmbedContents: { operation: 'embeddings', api: 'embed_content' },
  // The Gemini API's Batch Mode: the answer is an operation; its requests are billed when they run.
  batchGenerateContent: { operation: 'batch', api: 'batch_generate_content' },
});

/** Vertex AI's methods for partner models in their own wire format (Anthropic's Messages). */
const RAW_VERBS: Readonly<Record<string, Verb>> = Object.freeze({
  rawPredict: { operation: 'chat', api: 'messages' },
  streamRawPredict: { operation: 'chat', api: 'messages_stream' },
});

/**
 * Vertex AI's `:predict` for Google's text embedding models (what @google/genai
 * calls for them, `gemini-embedding-001` included), told by the model's name,
 * as every `:predict` model answers in its own shape.
 */
const PREDICT_EMBEDDINGS: Verb = Object.freeze({ operation: 'embeddings', api: 'predict_embeddings' });
const EMBEDDING_MODEL = /embedding|gecko/i;
/** Imagen on Vertex AI's `:predict` (what @google/genai's generateImages calls): billed per image made. */
const PREDICT_IMAGES: Verb = Object.freeze({ operation: 'image_generation', api: 'predict_images' });
const IMAGEN_MODEL = /^imagen-/i;

/**
 * Vertex AI's OpenAI-compatible Chat Completions, for the OpenAI SDKs
 * (`base_url` …/endpoints/openapi): the model (`google/gemini-2.0-flash-001`) is in the body.
 */
const OPENAI_CHAT = /\/endpoints\/openapi\/chat\/completions\/?$/;
const OPENAI_CHAT_CALL: ProviderCall & { api: GoogleApi } = Object.freeze({ operation: 'chat', api: 'chat_completions' });

// Anthropic's token counter on Vertex is a model path too, and free.
const FREE_MODELS: ReadonlySet<string> = new Set(['count-tokens']);

/** A path's last segment split at its `:verb`, and the segments before it. */
function splitPath(path: string): { segments: string[]; name: string; verb: string } | undefined {
  const segments = path.split('/');
  const last = segments.pop() ?? '';
  const colon = last.lastIndexOf(':');
  if (colon <= 0) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(last.slice(0, colon));
  } catch {
    return undefined;
  }
  return { segments, name, verb: last.slice(colon + 1) };
}

/**
 * A Gemini API call: `POST …/models/{model}:generateContent`,
 * `:streamGenerateContent`, `:embedContent` or `:batchEmbedContents` (any
 * prefix, `/v1beta` or `/v1` or a proxy's); undefined for everything else
 * (`:countTokens`, files, cached contents, batches).
 *
 * @example
 * matchGeminiCall('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent')
 * // { operation: 'generate_content', api: 'stream_generate_content', model: 'gemini-2.5-flash' }
 */
export function matchGeminiCall(method: string, path: string): (ProviderCall & { api: GoogleApi }) | undefined {
  if (method.toUpperCase() !== 'POST') return undefined;
  const parts = splitPath(path);
  if (parts === undefined || parts.segments.at(-1) !== 'models' || parts.name === '') return undefined;
  const verb = GEMINI_VERBS[parts.verb];
  return verb === undefined ? undefined : { ...verb, model: parts.name };
}

/**
 * A Vertex AI call: Gemini at `…/publishers/google/models/{model}:{verb}`
 * (regional, global and express-mode paths alike), text embeddings at
 * `…/publishers/google/models/{model}:predict` and Imagen there, OpenAI's Chat Completions
 * at `…/endpoints/openapi/chat/completions`, a deployed endpoint at
 * `…/endpoints/{id}:generateContent` (its model named only by the
 * response), and Anthropic's models at
 * `…/publishers/anthropic/models/{model}:rawPredict` or `:streamRawPredict`.
 *
 * @example
 * matchVertexCall('POST', '/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict')
 * // { operation: 'chat', api: 'messages_stream', model: 'claude-sonnet-4-5@20250929' }
 */
export function matchVertexCall(method: string, path: string): (ProviderCall & { api: GoogleApi }) | undefined {
  if (method.toUpperCase() !== 'POST') return undefined;
  if (OPENAI_CHAT.test(path)) return OPENAI_CHAT_CALL;
  const parts = splitPath(path);
  if (parts === undefined || parts.name === '') return undefined;
  const { segments, name } = parts;
  if (segments.at(-1) === 'endpoints') {
    const verb = GEMINI_VERBS[parts.verb];
    return verb?.api === 'embed_content' || verb?.api === 'batch_generate_content' ? undefined : verb;
  }
  if (segments.at(-1) !== 'models' || segments.at(-3) !== 'publishers') return undefined;
  const publisher = segments.at(-2);
  const verb = publisher === 'google' ? googleVerb(parts.verb, name) : publisher === 'anthropic' && !FREE_MODELS.has(name) ? RAW_VERBS[parts.verb] : undefined;
  return verb === undefined ? undefined : { ...verb, model: name };
}

function googleVerb(verb: string, model: string): Verb | undefined {
  if (verb === 'predict') return EMBEDDING_MODEL.test(model) ? PREDICT_EMBEDDINGS : IMAGEN_MODEL.test(model) ? PREDICT_IMAGES : undefined;
  // Batch Mode is the Gemini API's; Vertex AI batches are jobs of another API.
  const found = GEMINI_VERBS[verb];
  return found?.api === 'batch_generate_content' ? undefined : found;
}
