// An app on the official `openai` client that knows nothing of costctl.
// Under `node --import @costctl/otel/register` with COSTCTL_DAILY_LIMIT_USD,
// its calls stop at the day's limit: the SDK raises a 402 at once.
import OpenAI from 'openai';

// Reads OPENAI_API_KEY, and OPENAI_BASE_URL when set (a proxy, or a local fake provider).
const openai = new OpenAI();

const questions = [
  'What is a token?',
  'Why does a retry loop cost money?',
  'What is a daily budget?',
  'How do I cap what an API key can spend?',
  'What does HTTP 402 mean?',
  'Name one way to lower a bill.',
];

for (const [index, question] of questions.entries()) {
  try {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o',
      // The most a call can cost: costctl holds it against the budget before the call leaves.
      max_tokens: 24,
      messages: [{ role: 'user', content: question }],
    });
    console.log(`call ${index + 1}: ok, ${completion.usage.prompt_tokens} tokens in, ${completion.usage.completion_tokens} out`);
  } catch (error) {
    if (!(error instanceof OpenAI.APIError && error.status === 402)) throw error;
    // Blocked before it left the process; x-costctl-blocked names the rule.
    console.log(`call ${index + 1}: blocked by ${error.headers.get('x-costctl-blocked')}: ${error.message}`);
    break;
  }
}
