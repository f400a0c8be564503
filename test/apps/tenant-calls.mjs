// One host of a fleet: COUNT chat calls to MODEL with the official OpenAI
// client, each under OTel baggage tenant=TENANT, prints {"done":true}, and
// stays up until its stdin closes.
import { context, propagation } from '@opentelemetry/api';
import OpenAI from 'openai';

const openai = new OpenAI({ apiKey: 'sk-test-key', baseURL: `${process.env.FAKE_PROVIDER_URL}/openai/v1`, maxRetries: 0 });
const baggage = propagation.createBaggage({ tenant: { value: process.env.TENANT } });
for (let i = 0; i < Number(process.env.COUNT); i++) {
  await context.with(propagation.setBaggage(context.active(), baggage), () =>
    openai.chat.completions.create({ model: process.env.MODEL, max_tokens: 16, messages: [{ role: 'user', content: `Question ${i}` }] }),
  );
}
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
