// An app on the Vercel AI SDK (`ai` with `@ai-sdk/openai`) that knows
// nothing of costctl. Under `node --import @costctl/otel/register` with
// COSTCTL_DAILY_LIMIT_USD, its calls are priced and stop at the day's limit:
// the AI SDK raises an APICallError with status 402, which it does not retry.
import { openai } from '@ai-sdk/openai';
import { APICallError, generateText, streamText } from 'ai';

// `openai` reads OPENAI_API_KEY, and OPENAI_BASE_URL when set (a proxy, or a
// local fake provider); its models call OpenAI's Responses API.
const model = openai('gpt-4o');
// The most a call can cost: costctl holds it against the budget before the call leaves.
const maxOutputTokens = 24;

const stream = streamText({ model, maxOutputTokens, prompt: 'Explain rate limits in one line.' });
let streamed = '';
for await (const text of stream.textStream) streamed += text;
const usage = await stream.usage;
console.log(`streamText: ok, ${usage.inputTokens} tokens in, ${usage.outputTokens} out: "${streamed.split(' ').slice(0, 5).join(' ')} …"`);

for (let call = 1; call <= 5; call++) {
  try {
    const { usage } = await generateText({ model, maxOutputTokens, prompt: `Give me tip number ${call} to lower an API bill.` });
    console.log(`generateText ${call}: ok, ${usage.inputTokens} tokens in, ${usage.outputTokens} out`);
  } catch (error) {
    if (!(APICallError.isInstance(error) && error.statusCode === 402)) throw error;
    // Blocked before it left the process; x-costctl-blocked names the rule.
    console.log(`generateText ${call}: blocked by ${error.responseHeaders['x-costctl-blocked']} (${error.statusCode}): ${error.message}`);
    break;
  }
}
