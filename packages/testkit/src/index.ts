/**
 * @costctl/testkit: a local fake LLM provider speaking the real wire formats
 * of OpenAI (Chat Completions, Responses, Embeddings) and Anthropic
 * (Messages), with deterministic usage and failure scenarios, for end-to-end
 * tests, demos and benchmarks.
 *
 * @example
 * import { startFakeProvider, expectedUsage, withScenario } from '@costctl/testkit';
 * const provider = await startFakeProvider();
 * const openai = new OpenAI({ apiKey: 'test', baseURL: `${provider.url}/v1` });
 * const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hello' }] };
 * const completion = await openai.chat.completions.create(body);
 * assert.deepEqual(completion.usage, expectedUsage('openai.chat', body));
 * await provider.close();
 */
export type { ProviderApi, ProviderName } from './api.js';
export { responseModel } from './models.js';
export { type Scenario, SCENARIO_NAMES, withScenario } from './scenario.js';
export { type FakeProvider, type FakeProviderOptions, type RecordedRequest, startFakeProvider } from './server.js';
export {
  type AnthropicUsage,
  CANNED_REPLY,
  type OpenAIChatUsage,
  type OpenAIEmbeddingsUsage,
  type OpenAIResponsesUsage,
  type UsageByApi,
  expectedReply,
  expectedUsage,
} from './usage.js';
