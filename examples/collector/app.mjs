// An app on the official `openai` and `@anthropic-ai/sdk` clients that knows
// nothing of costctl or OpenTelemetry. Under `node --import @costctl/otel/register`
// with OTEL_METRICS_EXPORTER=otlp, costctl pushes what its calls cost to the
// Collector at OTEL_EXPORTER_OTLP_ENDPOINT, the last time as the app exits.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

// Each reads its API key, and its base URL when set (OPENAI_BASE_URL, ANTHROPIC_BASE_URL).
const openai = new OpenAI();
const anthropic = new Anthropic();
const ask = [{ role: 'user', content: 'Draft a status update.' }];

for (let round = 1; round <= 2; round++) {
  const chat = await openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 24, messages: ask });
  const message = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 24, messages: ask });
  console.log(`round ${round}: gpt-4o-mini ${chat.usage.completion_tokens} tokens out, claude-haiku-4-5 ${message.usage.output_tokens} tokens out`);
}
