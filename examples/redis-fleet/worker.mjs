// One worker of a fleet, on the official `openai` client, knowing nothing of
// costctl: it summarises support tickets, one call each. Run several under
// `node --import @costctl/otel/register` with COSTCTL_STORE=redis and one
// COSTCTL_REDIS_URL: they share one budget, and together stop at its limit.
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';

// Reads OPENAI_API_KEY, and OPENAI_BASE_URL when set (a proxy, or a local fake provider).
const openai = new OpenAI();
let calls = 0;

for (;;) {
  try {
    await openai.chat.completions.create({
      model: 'gpt-4o',
      // The most a call can cost: costctl holds it against the shared budget before the call leaves.
      max_tokens: 24,
      messages: [{ role: 'user', content: 'Summarise the next support ticket.' }],
    });
    calls += 1;
  } catch (error) {
    if (!(error instanceof OpenAI.APIError && error.status === 402)) throw error;
    // Refused (the fleet's budget is spent, or the gate is tripped): wait, and try again.
    console.log(`${calls} calls made, then blocked by ${error.headers.get('x-costctl-blocked')}: ${error.message.split(', and ')[0]}; waiting`);
    await sleep(15_000);
  }
}
