// Tags calls with OTel baggage (tenant, user_id) the way an app would, with
// no OTel SDK of its own: costctl turns only allow-listed keys into labels.
import { context, propagation } from '@opentelemetry/api';
import OpenAI from 'openai';

const openai = new OpenAI({ apiKey: 'sk-test-key', baseURL: `${process.env.FAKE_PROVIDER_URL}/openai/v1`, maxRetries: 0 });
const ask = () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] });
const asTenant = (tenant) =>
  context.with(propagation.setBaggage(context.active(), propagation.createBaggage({ tenant: { value: tenant }, user_id: { value: 'u-123' } })), ask);

await asTenant('acme');
await asTenant('acme');
await asTenant('globex');
await ask();
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
