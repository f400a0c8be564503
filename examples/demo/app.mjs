// An ordinary app: it calls OpenAI and Anthropic with their official clients
// and knows nothing of costctl. run.mjs starts it with
// `node --import @costctl/otel/register app.mjs` and a fake provider.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const base = process.env.FAKE_PROVIDER_URL;
const openai = new OpenAI({ apiKey: 'sk-demo', baseURL: `${base}/openai/v1`, maxRetries: 0 });
// The fake provider cuts every stream sent to this base URL halfway, before its usage.
const flaky = new OpenAI({ apiKey: 'sk-demo', baseURL: `${base}/openai/scenario/cut/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'sk-ant-demo', baseURL: `${base}/anthropic`, maxRetries: 0 });
const ask = (content) => [{ role: 'user', content }];

const calls = [
  ['OpenAI chat, JSON', () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask('Write a haiku about budgets.') })],
  [
    'OpenAI chat, stream with usage',
    async () => {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o',
        messages: ask('Explain rate limits to a new engineer, briefly.'),
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _chunk of stream);
    },
  ],
  ['OpenAI responses, JSON', () => openai.responses.create({ model: 'gpt-4.1-mini', input: 'Name three ways a retry loop burns money.' })],
  ['OpenAI embeddings', () => openai.embeddings.create({ model: 'text-embedding-3-small', input: ['budget', 'gate', 'ledger'] })],
  [
    'Anthropic messages, JSON',
    () => anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 200, messages: ask('Summarise our spend in one line.') }),
  ],
  [
    'Anthropic messages, stream',
    async () => {
      const stream = await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 200, messages: ask('What is a kill switch?'), stream: true });
      for await (const _event of stream);
    },
  ],
  [
    'OpenAI chat, stream cut by the network',
    async () => {
      const stream = await flaky.chat.completions.create({
        model: 'gpt-4.1-nano',
        messages: ask('Tell me a long story.'),
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _chunk of stream);
    },
    // The fake provider cuts it on purpose: the point is what costctl does with a stream that never sent its usage.
    { cut: true },
  ],
  ['A self-hosted model with no public price', () => openai.chat.completions.create({ model: 'acme-llm-7b', messages: ask('Hello?') })],
];

for (const [label, call, { cut = false } = {}] of calls) {
  const started = performance.now();
  const took = () => `${Math.round(performance.now() - started)} ms`;
  try {
    await call();
    console.log(cut ? `  ✗ ${label.padEnd(42)} ${took()}, but it was meant to be cut` : `  ✓ ${label.padEnd(42)} ${took()}`);
  } catch (error) {
    const why = `${error.constructor.name}: ${error.message.split('\n')[0]}`;
    console.log(cut ? `  ✓ ${label.padEnd(42)} ${took()}, cut halfway as intended (${why})` : `  ✗ ${label.padEnd(42)} ${why}`);
  }
}
console.log('DONE');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
