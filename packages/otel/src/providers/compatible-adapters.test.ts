import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { azureAdapter } from './azure/adapter.js';
import { compatibleAdapters } from './compatible-adapters.js';
import { deepseekAdapter } from './deepseek/adapter.js';
import { fireworksAdapter } from './fireworks/adapter.js';
import { groqAdapter } from './groq/adapter.js';
import { mistralAdapter } from './mistral/adapter.js';
import { openrouterAdapter } from './openrouter/adapter.js';
import { adapterByName, adapterForHost } from './registry.js';
import { togetherAdapter } from './together/adapter.js';
import type { ProviderAdapter, ResponseFacts, TokenUsage } from './types.js';
import { xaiAdapter } from './xai/adapter.js';

/** Each adapter's folder, where its recorded bodies are. */
const ADAPTERS: Readonly<Record<string, ProviderAdapter>> = {
  azure: azureAdapter,
  mistral: mistralAdapter,
  groq: groqAdapter,
  deepseek: deepseekAdapter,
  xai: xaiAdapter,
  openrouter: openrouterAdapter,
  together: togetherAdapter,
  fireworks: fireworksAdapter,
};

/** Reads a recorded body through the adapter, as the transport does. */
function read(dir: string, file: string, api = 'chat_completions', cutBefore?: string): ResponseFacts {
  const adapter = ADAPTERS[dir]!;
  const text = readFileSync(new URL(`./${dir}/fixtures/${file}`, import.meta.url), 'utf8');
  const stream = file.endsWith('.sse');
  const body = cutBefore === undefined ? text : text.slice(0, text.indexOf(cutBefore));
  const request = { operation: 'chat', api, model: undefined, stream, maxOutputTokens: undefined, inputTokenEstimate: 10 } as const;
  const reader = adapter.createReader(request, stream ? 'text/event-stream' : 'application/json');
  reader.push(new TextEncoder().encode(body));
  return reader.finish();
}

const usage = (input: number, output: number, cacheRead = 0, reasoning = 0): TokenUsage => ({ input, output, cacheRead, cacheWrite: 0, reasoning });

describe.each([
  // adapter folder, file, api, model, usage, provider-reported USD, service tier
  ['azure', 'chat-completion.json', 'chat_completions', 'gpt-4o-mini-2024-07-18', usage(1450, 17, 1280), undefined, 'default'],
  ['azure', 'chat-stream.sse', 'chat_completions', 'gpt-4o-mini-2024-07-18', usage(1450, 5, 1280), undefined, 'default'],
  ['azure', 'embeddings.json', 'embeddings', 'text-embedding-3-small', usage(23, 0), undefined, undefined],
  ['mistral', 'chat-completion.json', 'chat_completions', 'mistral-small-latest', usage(842, 16, 768), undefined, undefined],
  ['mistral', 'chat-stream.sse', 'chat_completions', 'mistral-small-latest', usage(37, 7), undefined, undefined],
  ['mistral', 'fim-completion.json', 'completions', 'codestral-latest', usage(19, 12), undefined, undefined],
  ['mistral', 'embeddings.json', 'embeddings', 'mistral-embed', usage(9, 0), undefined, undefined],
  ['groq', 'chat-completion.json', 'chat_completions', 'llama-3.3-70b-versatile', usage(61, 14), undefined, 'on_demand'],
  ['groq', 'chat-stream.sse', 'chat_completions', 'openai/gpt-oss-120b', usage(79, 23, 64, 17), undefined, undefined],
  ['groq', 'chat-stream-include-usage.sse', 'chat_completions', 'openai/gpt-oss-120b', usage(20, 4), undefined, 'on_demand'],
  ['deepseek', 'chat-completion.json', 'chat_completions', 'deepseek-reasoner', usage(1312, 286, 1280, 271), undefined, undefined],
  ['deepseek', 'chat-stream.sse', 'chat_completions', 'deepseek-chat', usage(2096, 4, 2048), undefined, undefined],
  ['xai', 'chat-completion.json', 'chat_completions', 'grok-3-mini', usage(288, 27 + 313, 256, 313), 0.0001988, undefined],
  ['xai', 'chat-stream.sse', 'chat_completions', 'grok-4-fast-reasoning', usage(165, 2 + 129, 164, 129), 0.0000739, undefined],
  ['openrouter', 'chat-completion.json', 'chat_completions', 'openai/gpt-4o-mini', usage(24, 9), 0.000009, undefined],
  ['openrouter', 'chat-completion-byok.json', 'chat_completions', 'anthropic/claude-haiku-4.5', usage(1200, 5, 1024), 0.0000606 + 0.0012124, undefined],
  ['openrouter', 'chat-stream.sse', 'chat_completions', 'openai/gpt-4o-mini', usage(31, 3), 0.00000645, 'default'],
  ['together', 'chat-completion.json', 'chat_completions', 'meta-llama/Llama-3.3-70B-Instruct-Turbo', usage(49, 3, 32), undefined, undefined],
  ['together', 'chat-stream.sse', 'chat_completions', 'meta-llama/Llama-3.3-70B-Instruct-Turbo', usage(49, 5), undefined, undefined],
  ['fireworks', 'chat-completion.json', 'chat_completions', 'accounts/fireworks/models/llama-v3p1-8b-instruct', usage(27, 6), undefined, undefined],
  ['fireworks', 'chat-stream.sse', 'chat_completions', 'accounts/fireworks/models/gpt-oss-120b', usage(88, 15, 64, 9), undefined, undefined],
] as const)('%s reads %s', (dir, file, api, model, expected, cost, tier) => {
  const facts = read(dir, file, api);

  it('with the usage in TokenUsage terms: cache reads inside the input, reasoning inside the output', () => {
    expect(facts).toMatchObject({ model, usage: expected, usageComplete: true, serviceTier: tier });
  });

  it('with the cost the provider reported, if any', () => {
    if (cost === undefined) expect(facts.providerCostUsd).toBeUndefined();
    else expect(facts.providerCostUsd).toBeCloseTo(cost, 15);
  });
});

describe('streams cut before their usage', () => {
  it.each([
    ['azure', 'chat-stream.sse', '{"choices":[],"created":1782400012', 'gpt-4o-mini-2024-07-18', 4],
    [
      'mistral',
      'chat-stream.sse',
      'data: {"id":"9b2c7e4f1a8d4c3e9f0a1b2c3d4e5f6a","object":"chat.completion.chunk","created":1782401201,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}]',
      'mistral-small-latest',
      7,
    ],
    ['groq', 'chat-stream.sse', '"finish_reason":"stop"}],"x_groq"', 'openai/gpt-oss-120b', 7],
    ['xai', 'chat-stream.sse', '"choices":[],"usage"', 'grok-4-fast-reasoning', 5],
    ['together', 'chat-stream.sse', '"text":"","logprobs":null,"finish_reason":"stop"', 'meta-llama/Llama-3.3-70B-Instruct-Turbo', 6],
  ] as const)('%s: %s is estimated from the deltas seen, never left without a model', (dir, file, cut, model, estimate) => {
    const facts = read(dir, file, 'chat_completions', cut);
    expect(facts).toMatchObject({ model, usage: undefined, usageComplete: false, providerCostUsd: undefined, outputTokenEstimate: estimate });
  });
});

describe('compatible adapters', () => {
  it('are registered under their gen_ai.provider.name, for COSTCTL_ENDPOINTS', () => {
    expect(compatibleAdapters.map((adapter) => adapter.name)).toEqual([
      'azure.ai.openai',
      'mistral_ai',
      'groq',
      'deepseek',
      'x_ai',
      'openrouter',
      'together',
      'fireworks',
    ]);
    for (const adapter of compatibleAdapters) expect(adapterByName(adapter.name)).toBe(adapter);
  });

  it.each([
    ['my-resource.openai.azure.com', azureAdapter],
    ['my-foundry.cognitiveservices.azure.com', azureAdapter],
    ['my-project.services.ai.azure.com', azureAdapter],
    ['api.mistral.ai', mistralAdapter],
    ['api.groq.com', groqAdapter],
    ['api.deepseek.com', deepseekAdapter],
    ['api.x.ai', xaiAdapter],
    ['openrouter.ai', openrouterAdapter],
    ['api.together.xyz', togetherAdapter],
    ['api.fireworks.ai:443', fireworksAdapter],
  ])('serve %s', (host, adapter) => {
    expect(adapterForHost(host)).toBe(adapter);
  });

  it.each(['openai.azure.com', 'a.b.openai.azure.com', 'my-resource.openai.azure.com.evil.example', 'mistral.ai', 'x.ai'])('do not serve %s', (host) => {
    expect(adapterForHost(host)).toBeUndefined();
  });

  it.each([
    [azureAdapter, '/openai/deployments/chat-prod/chat/completions', { operation: 'chat', api: 'chat_completions' }],
    [azureAdapter, '/openai/v1/responses', { operation: 'chat', api: 'responses' }],
    [azureAdapter, '/openai/deployments/embed-small/embeddings', { operation: 'embeddings', api: 'embeddings' }],
    [mistralAdapter, '/v1/fim/completions', { operation: 'text_completion', api: 'completions' }],
    [mistralAdapter, '/v1/agents/completions', { operation: 'chat', api: 'chat_completions' }],
    [groqAdapter, '/openai/v1/chat/completions', { operation: 'chat', api: 'chat_completions' }],
    [deepseekAdapter, '/chat/completions', { operation: 'chat', api: 'chat_completions' }],
    [deepseekAdapter, '/beta/completions', { operation: 'text_completion', api: 'completions' }],
    [xaiAdapter, '/v1/responses', { operation: 'chat', api: 'responses' }],
    [openrouterAdapter, '/api/v1/chat/completions', { operation: 'chat', api: 'chat_completions' }],
    [togetherAdapter, '/v1/embeddings', { operation: 'embeddings', api: 'embeddings' }],
    [fireworksAdapter, '/inference/v1/completions', { operation: 'text_completion', api: 'completions' }],
  ])('%s: POST %s is %j', (adapter, path, call) => {
    expect(adapter.matchCall('POST', path)).toEqual(call);
    expect(adapter.matchCall('GET', path)).toBeUndefined();
  });

  it.each([
    [azureAdapter, { error: { message: 'over budget', type: 'costctl_budget_exceeded', param: null, code: 'costctl_budget_exceeded' } }],
    [mistralAdapter, { object: 'error', message: 'over budget', type: 'costctl_budget_exceeded', param: null, code: null }],
    [groqAdapter, { error: { message: 'over budget', type: 'costctl_budget_exceeded', code: 'costctl_budget_exceeded' } }],
    [xaiAdapter, { code: 'costctl_budget_exceeded', error: 'over budget' }],
    [openrouterAdapter, { error: { code: 402, message: 'over budget', metadata: { type: 'costctl_budget_exceeded' } } }],
    [fireworksAdapter, { error: { object: 'error', type: 'costctl_budget_exceeded', message: 'over budget' } }],
  ])('%s answers a blocked call in its own error shape', (adapter, body) => {
    expect(adapter.errorBody('costctl_budget_exceeded', 'over budget')).toEqual(body);
  });

  it.each([
    ['mistral', 'error.json'],
    ['groq', 'error.json'],
    ['xai', 'error.json'],
    ['openrouter', 'error.json'],
    ['fireworks', 'error.json'],
  ] as const)('%s: an error body read as a 200 gives no usage and no cost', (dir, file) => {
    expect(read(dir, file)).toMatchObject({ usage: undefined, usageComplete: false, providerCostUsd: undefined });
  });
});
