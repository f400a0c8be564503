import type { OperationName, ProviderCall } from '../types.js';

/** The Bedrock runtime operations costctl reads, by the path suffix that names each. */
export type BedrockApi = 'converse' | 'converse_stream' | 'invoke' | 'invoke_stream' | 'chat_completions';

const SUFFIXES: readonly (readonly [suffix: string, api: BedrockApi])[] = [
  ['/converse', 'converse'],
  ['/converse-stream', 'converse_stream'],
  ['/invoke', 'invoke'],
  ['/invoke-with-response-stream', 'invoke_stream'],
];

const MODEL_PREFIX = '/model/';
/** Bedrock's OpenAI-compatible Chat Completions (OpenAI's models, for the OpenAI SDKs): the model is in the body. */
const OPENAI_CHAT = /\/openai\/v1\/chat\/completions\/?$/;
const OPENAI_CHAT_CALL: ProviderCall & { api: BedrockApi } = Object.freeze({ operation: 'chat', api: 'chat_completions' });
// `arn:partition:bedrock:region:account:resource`: the resource is what follows the fifth colon.
const ARN = /^arn:[^:]*:bedrock:[^:]*:[^:]*:(.+)$/;
// Resources whose last segment is a model id or an inference profile id the price data knows.
const NAMED_RESOURCES: ReadonlySet<string> = new Set(['foundation-model', 'inference-profile']);

/**
 * The Bedrock runtime call a path is: `POST /model/{modelId}/converse`,
 * `/converse-stream`, `/invoke`, `/invoke-with-response-stream` (a custom
 * endpoint's prefix allowed), with the model id decoded and normalised for
 * pricing (see {@link bedrockModelId}), and OpenAI's Chat Completions at
 * `POST /openai/v1/chat/completions`. Anything else (async invokes,
 * guardrails, token counts) is not a billable call here.
 *
 * @example
 * matchBedrockCall('POST', '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse')
 * // { operation: 'chat', api: 'converse', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' }
 */
export function matchBedrockCall(method: string, path: string): (ProviderCall & { api: BedrockApi }) | undefined {
  if (method.toUpperCase() !== 'POST') return undefined;
  if (OPENAI_CHAT.test(path)) return OPENAI_CHAT_CALL;
  const start = path.indexOf(MODEL_PREFIX);
  if (start === -1) return undefined;
  for (const [suffix, api] of SUFFIXES) {
    if (!path.endsWith(suffix)) continue;
    // An ARN sent unencoded holds slashes: the model id is everything between `/model/` and the operation.
    const raw = path.slice(start + MODEL_PREFIX.length, path.length - suffix.length);
    const model = bedrockModelId(raw);
    if (model === undefined) return undefined;
    return { operation: operationOf(model), api, model };
  }
  return undefined;
}

/**
 * A model id from a request path, as the price data names it: URL-decoded,
 * and for an ARN its foundation model or inference profile id. Regional and
 * global inference profiles (`us.`, `eu.`, `global.` prefixes) are kept:
 * they are priced differently. Other ARNs (application inference profiles,
 * provisioned or custom models) keep their resource part
 * (`application-inference-profile/abc123`), which a config price override
 * can name. Undefined for an empty or undecodable id.
 *
 * @example
 * bedrockModelId('arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.amazon.nova-lite-v1%3A0')
 * // 'us.amazon.nova-lite-v1:0'
 */
export function bedrockModelId(encoded: string): string | undefined {
  let id: string;
  try {
    id = decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
  const arn = ARN.exec(id);
  if (arn !== null) {
    const resource = arn[1]!;
    const slash = resource.indexOf('/');
    if (slash !== -1 && NAMED_RESOURCES.has(resource.slice(0, slash))) id = resource.slice(resource.lastIndexOf('/') + 1);
    else id = resource;
  }
  return id === '' ? undefined : id;
}

/** Embedding models are invoked like any other: their id says what they do. */
function operationOf(model: string): OperationName {
  return model.includes('embed') ? 'embeddings' : 'chat';
}
