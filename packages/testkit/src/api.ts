/** The wire formats the fake provider speaks, and the request bodies they take. */

/** One billable call shape: provider, then endpoint. */
export type ProviderApi = 'openai.chat' | 'openai.responses' | 'openai.embeddings' | 'anthropic.messages' | 'mistral.fim';

/** The company whose error shape and request-id header a response uses. */
export type ProviderName = 'openai' | 'anthropic';

/** A parsed JSON request body, read field by field (never trusted to be well formed). */
export type RequestBody = Readonly<Record<string, unknown>>;

/** The provider that serves an API. */
export function providerOf(api: ProviderApi): ProviderName {
  return api === 'anthropic.messages' ? 'anthropic' : 'openai';
}

/** Reads one field of any request-shaped object (an SDK params object or a parsed body). */
export function field(body: object, key: string): unknown {
  return (body as RequestBody)[key];
}
