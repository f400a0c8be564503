/**
 * Flavours: which OpenAI-compatible provider the fake server plays on
 * OpenAI's routes. Each keeps OpenAI's wire format with that provider's own
 * departures: where usage goes in a stream, extra fields, comments, error
 * shapes (see `wire/chat-flavours.ts` and `compat-usage.ts`).
 *
 * Picked by a path segment, like a scenario: `baseURL:
 * \`${provider.url}/flavour/groq\`` (then Groq's own `/openai/v1/…` paths).
 * No segment means OpenAI itself.
 *
 * | flavour | as on the wire |
 * |---|---|
 * | `openai` | OpenAI (the default); `service_tier` echoes `flex`, `priority`, `scale` |
 * | `azure` | Azure OpenAI: content-filter results, a first chunk with `"model":""`, sorted keys, Azure's dated model names |
 * | `mistral` | Mistral: usage in every stream's last chunk, FIM at `/v1/fim/completions`, `{object:"error"}` errors |
 * | `groq` | Groq: timings in usage, stream usage in `x_groq.usage` (and in `usage` with `include_usage`) |
 * | `deepseek` | DeepSeek: `prompt_cache_hit_tokens`/`miss`, `: keep-alive` comments, reasoning for `deepseek-reasoner` |
 * | `xai` | xAI: reasoning tokens outside `completion_tokens`, `cost_in_usd_ticks` |
 * | `openrouter` | OpenRouter: `usage.cost`, `: OPENROUTER PROCESSING` comments, whitespace before JSON bodies |
 * | `together` | Together AI: `cached_tokens` at the top of usage, usage in every stream's last chunk |
 * | `fireworks` | Fireworks: `accounts/fireworks/models/…` names, usage in every stream's last chunk |
 */

/** The name of a flavour. */
export type Flavour = 'openai' | 'azure' | 'mistral' | 'groq' | 'deepseek' | 'xai' | 'openrouter' | 'together' | 'fireworks';

/** Every flavour, in the table's order. */
export const FLAVOURS: readonly Flavour[] = Object.freeze(['openai', 'azure', 'mistral', 'groq', 'deepseek', 'xai', 'openrouter', 'together', 'fireworks']);

const PATH_SEGMENT = 'flavour';

/** The flavour text of a `/flavour/<name>/` path segment, if any. */
export function flavourInPath(path: string): string | undefined {
  const segments = path.split('/');
  const at = segments.indexOf(PATH_SEGMENT);
  return at === -1 ? undefined : segments[at + 1];
}

/**
 * The flavour a text names, or undefined when it names none.
 *
 * @example
 * parseFlavour('groq') // 'groq'
 * parseFlavour('cohere') // undefined
 */
export function parseFlavour(text: string): Flavour | undefined {
  return (FLAVOURS as readonly string[]).includes(text) ? (text as Flavour) : undefined;
}

/**
 * The base URL of a flavour on a running fake provider, to which each
 * client appends its own paths (`/openai/v1/…` for Groq, `/v1/…` for Mistral).
 *
 * @example
 * new Groq({ apiKey: 'test', baseURL: flavourUrl(provider.url, 'groq') });
 */
export function flavourUrl(providerUrl: string, flavour: Flavour): string {
  return flavour === 'openai' ? providerUrl : `${providerUrl}/${PATH_SEGMENT}/${flavour}`;
}
