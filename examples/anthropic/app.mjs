// An app on the official `@anthropic-ai/sdk` client that knows nothing of
// costctl. Under `node --import @costctl/otel/register`, with the rule of
// costctl.config.json beside it, its calls are priced, and stop at the day's
// Anthropic budget: the SDK raises a 402 at once.
import Anthropic from '@anthropic-ai/sdk';

// Reads ANTHROPIC_API_KEY, and ANTHROPIC_BASE_URL when set (a proxy, or a local fake provider).
const anthropic = new Anthropic();
const model = 'claude-sonnet-4-6';
// The most a call can cost: costctl holds it against the budget until the answer says what it cost.
const max_tokens = 100;

const calls = [
  ['create', () => anthropic.messages.create({ model, max_tokens, messages: [{ role: 'user', content: 'What is a kill switch?' }] })],
  [
    'stream',
    () => anthropic.messages.stream({ model, max_tokens, messages: [{ role: 'user', content: 'Explain budgets to a new engineer.' }] }).finalMessage(),
  ],
  ['stream', () => anthropic.messages.stream({ model, max_tokens, messages: [{ role: 'user', content: 'Summarise our spend.' }] }).finalMessage()],
];

for (const [index, [kind, call]] of calls.entries()) {
  try {
    const message = await call();
    console.log(`call ${index + 1} (${kind}): ok, ${message.usage.input_tokens} tokens in, ${message.usage.output_tokens} out`);
  } catch (error) {
    if (!(error instanceof Anthropic.APIError && error.status === 402)) throw error;
    // Blocked before it left the process: x-costctl-blocked names the rule, the body's error says why.
    console.log(`call ${index + 1} (${kind}): blocked by ${error.headers.get('x-costctl-blocked')} (${error.status}): ${error.error.error.message}`);
  }
}
