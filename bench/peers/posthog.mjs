// @posthog/ai as its docs set it up: a posthog-node client whose host is
// bench/peers.mjs's local sink (BENCH_SINK_URL), and the app's OpenAI client
// built through PostHog's wrapper (bench/peers/app.mjs asks for it through
// globalThis.benchOpenAIClient). Every call becomes an $ai_generation event,
// batched to the sink; the worker reports how many it captured.
import { OpenAI } from '@posthog/ai/openai';
import { PostHog } from 'posthog-node';
import { expectedOutputTokens } from './spans.mjs';

const posthog = new PostHog('phc_bench_not_a_key', { host: process.env.BENCH_SINK_URL });
const outputTokens = expectedOutputTokens();
let generations = 0;
let withUsage = 0;
posthog.on('capture', (message) => {
  if (message?.event !== '$ai_generation') return;
  generations += 1;
  if (message.properties?.$ai_output_tokens === outputTokens) withUsage += 1;
});
globalThis.benchSpanCount = () => generations;
globalThis.benchUsageCount = () => withUsage;
globalThis.benchOpenAIClient = (options) => new OpenAI({ ...options, posthog });
