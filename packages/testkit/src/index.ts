/**
 * @costctl/testkit: a local fake LLM provider speaking the real wire formats
 * of OpenAI (Chat Completions, Responses, Embeddings) and Anthropic
 * (Messages) — and, by flavour, of the OpenAI-compatible providers (Azure,
 * Mistral, Groq, DeepSeek, xAI, OpenRouter, Together, Fireworks) — with
 * deterministic usage and failure scenarios, for end-to-end
 * tests, demos and benchmarks. `startFakeGoogle` (Gemini API, Vertex AI) and
 * `startFakeBedrock` (Converse, InvokeModel, binary event streams) do the same
 * for Google's and AWS's clients.
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
export { type BilledDay, type BillingProviderName, type BillingRequest, type FakeBilling, type FakeBillingOptions, startFakeBilling } from './billing/index.js';
export { type EventStreamFrame, encodeEventStreamMessage } from './bedrock/event-stream.js';
export { startFakeBedrock } from './bedrock/server.js';
export { type BedrockTokenCounts, type ConverseUsage, expectedConverseUsage, expectedInvokeCounts } from './bedrock/usage.js';
export type { FakeCloud, FakeCloudOptions, FakeCloudRequest } from './cloud/fake-server.js';
export { startFakeGoogle } from './google/server.js';
export {
  type GeminiEmbedUsageMetadata,
  type GeminiUsageMetadata,
  expectedGeminiEmbedUsage,
  expectedGeminiUsage,
  expectedVertexPredictTokens,
  imageCount,
} from './google/usage.js';
export { type ExpectedTokens, REASONING_MODELS, REASONING_TOKENS, expectedReportedCost, expectedTokens, flavourUsage } from './compat-usage.js';
export { FLAVOURS, type Flavour, flavourUrl } from './flavour.js';
export { responseModel } from './models.js';
export { type Scenario, SCENARIO_NAMES, withScenario } from './scenario.js';
export { type StoreCapabilities, type StoreSuiteOptions, type StoreTestRunner, storeSuite } from './store-suite.js';
export { type FakeProvider, type FakeProviderOptions, type RecordedRequest, startFakeProvider } from './server.js';
export {
  type AnthropicUsage,
  CANNED_REPLY,
  type OpenAIChatUsage,
  type OpenAIEmbeddingsUsage,
  type OpenAIResponsesUsage,
  type MistralFimUsage,
  type TokenCounts,
  type UsageByApi,
  expectedReply,
  expectedUsage,
  tokenCounts,
} from './usage.js';
