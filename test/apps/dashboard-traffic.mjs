// A demo-like app for the dashboard tests and the README screenshot: it knows
// nothing of costctl and calls OpenAI and Anthropic with their official
// clients. It prints {"ready":true}; then each stdin line is a JSON list of
// call names (CALLS below), made one after the other, answered with one JSON
// line saying how each ended. CONTEXT_CHARS pads every prompt, as an agent
// sending a long context would (the fake provider bills ~4 characters a token).
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const base = process.env.FAKE_PROVIDER_URL;
const openai = new OpenAI({ apiKey: 'sk-test-key', baseURL: `${base}/openai/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'sk-ant-test-key', baseURL: `${base}/anthropic`, maxRetries: 0 });
const context = 'x'.repeat(Number(process.env.CONTEXT_CHARS ?? 0));
const ask = (question) => [{ role: 'user', content: `${context}${question}` }];
const drain = async (stream) => {
  for await (const _event of stream);
};

const CALLS = {
  // Priced from the price table.
  'openai-chat': () => openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 24, messages: ask('Summarise the incident.') }),
  'openai-stream': () =>
    openai.chat.completions
      .create({ model: 'gpt-4.1-mini', max_tokens: 24, messages: ask('Draft a reply.'), stream: true, stream_options: { include_usage: true } })
      .then(drain),
  'openai-embed': () => openai.embeddings.create({ model: 'text-embedding-3-small', input: [`${context}refund policy`, 'shipping times'] }),
  // Anthropic with prompt caching: cache_write and cache_read tokens.
  'anthropic-cached': () =>
    anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 24,
      system: [{ type: 'text', text: `${context}You are a support agent.`, cache_control: { type: 'ephemeral' } }],
      messages: [...ask('Where is my order?'), { role: 'assistant', content: 'Let me check.' }, { role: 'user', content: 'Thanks.' }],
    }),
  'anthropic-stream': () =>
    anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 24, messages: ask('Plan the migration.'), stream: true }).then(drain),
  // No price data knows this model: counted as unpriced (unknown_model).
  unpriced: () => openai.chat.completions.create({ model: 'acme-llm-7b', max_tokens: 24, messages: ask('Hello?') }),
  // gpt-4o has a small blocking budget in the tests' config: past it, a 402.
  capped: () => openai.chat.completions.create({ model: 'gpt-4o', max_tokens: 24, messages: ask('Review this contract.') }),
};

async function outcome(name) {
  const call = CALLS[name];
  if (call === undefined) throw new Error(`unknown call ${name}; known: ${Object.keys(CALLS).join(', ')}`);
  try {
    await call();
    return 'ok';
  } catch (error) {
    const blocked = error.headers?.get?.('x-costctl-blocked') ?? error.headers?.['x-costctl-blocked'];
    return blocked ? `blocked:${blocked}` : `error:${error.constructor.name} ${error.status ?? ''}`.trim();
  }
}

console.log(JSON.stringify({ ready: true }));
let input = '';
process.stdin.setEncoding('utf8');
let pending = Promise.resolve();
process.stdin.on('data', (chunk) => {
  input += chunk;
  let newline;
  while ((newline = input.indexOf('\n')) !== -1) {
    const names = JSON.parse(input.slice(0, newline));
    input = input.slice(newline + 1);
    pending = pending.then(async () => {
      const outcomes = [];
      for (const name of names) outcomes.push(await outcome(name));
      console.log(JSON.stringify({ outcomes }));
    });
  }
});
process.stdin.on('end', () => pending.then(() => process.exit(0)));
