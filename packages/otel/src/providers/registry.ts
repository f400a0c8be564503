import { anthropicAdapter } from './anthropic/adapter.js';
import { bedrockAdapter } from './bedrock/adapter.js';
import { cohereAdapter } from './cohere/adapter.js';
import { compatibleAdapters } from './compatible-adapters.js';
import { geminiAdapter, vertexAdapter } from './google/adapter.js';
import { openaiAdapter } from './openai/adapter.js';
import type { ProviderAdapter } from './types.js';

// Adding a provider is adding it here.
const ADAPTERS: readonly ProviderAdapter[] = Object.freeze([
  openaiAdapter,
  anthropicAdapter,
  cohereAdapter,
  ...compatibleAdapters,
  geminiAdapter,
  vertexAdapter,
  bedrockAdapter,
]);

const BY_HOST: ReadonlyMap<string, ProviderAdapter> = new Map(
  ADAPTERS.flatMap((adapter) => adapter.hosts.filter((host) => !host.includes('*')).map((host) => [host, adapter] as const)),
);
// Regional and per-tenant hosts; tried only when the exact lookup missed.
const BY_PATTERN: readonly (readonly [RegExp, ProviderAdapter])[] = ADAPTERS.flatMap((adapter) =>
  adapter.hosts.filter((host) => host.includes('*')).map((host) => [hostPattern(host), adapter] as const),
);
const BY_NAME: ReadonlyMap<string, ProviderAdapter> = new Map(ADAPTERS.map((adapter) => [adapter.name, adapter] as const));

/**
 * Every known provider adapter.
 *
 * @example
 * listAdapters().map((adapter) => adapter.name) // ['openai', 'anthropic']
 */
export function listAdapters(): readonly ProviderAdapter[] {
  return ADAPTERS;
}

/**
 * The adapter serving a host: a Map get, then one test per host pattern
 * (a fixed, small number). Accepts a `Host` header form: any case, a
 * `:port`, a trailing dot.
 *
 * @example
 * adapterForHost('api.openai.com')?.name // 'openai'
 * adapterForHost('API.Anthropic.com:443')?.name // 'anthropic'
 */
export function adapterForHost(host: string): ProviderAdapter | undefined {
  const exact = BY_HOST.get(host);
  if (exact !== undefined) return exact;
  const name = normaliseHost(host);
  const normalised = BY_HOST.get(name);
  if (normalised !== undefined || BY_PATTERN.length === 0) return normalised;
  for (const [pattern, adapter] of BY_PATTERN) {
    if (pattern.test(name)) return adapter;
  }
  return undefined;
}

/**
 * The adapter with this `gen_ai.provider.name` (as in `COSTCTL_ENDPOINTS`).
 *
 * @example
 * adapterByName('anthropic')?.hosts // ['api.anthropic.com']
 */
export function adapterByName(name: string): ProviderAdapter | undefined {
  return BY_NAME.get(name);
}

/**
 * A host as looked up: lower case, no port, no trailing dot.
 *
 * @example
 * normaliseHost('API.OpenAI.com.:443') // 'api.openai.com'
 */
export function normaliseHost(host: string): string {
  const name = host.toLowerCase().replace(/:\d*$/, '');
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * `*` matches within exactly one DNS label: `bedrock-runtime.*.amazonaws.com` never matches
 * `a.b.amazonaws.com.evil`, and `*-aiplatform.googleapis.com` matches `us-central1-aiplatform.googleapis.com`.
 *
 * @example
 * hostPattern('*.openai.azure.com').test('my-team.openai.azure.com') // true
 */
export function hostPattern(host: string): RegExp {
  const source = host
    .split('.')
    .map((label) =>
      label
        .split('*')
        .map((part) => part.replace(/[^a-z0-9-]/g, (c) => `\\${c}`))
        .join('[a-z0-9-]+'),
    )
    .join('\\.');
  return new RegExp(`^${source}$`);
}
