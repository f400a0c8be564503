// Makes CALLS calls with one official client (SDK=openai|anthropic), its
// retries left at their defaults, and prints how each ended: what an app
// sees when costctl blocks it.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

// MODEL picks another model; MAX_TOKENS=none leaves max_tokens out (OpenAI).
const base = process.env.FAKE_PROVIDER_URL;
const count = Number(process.env.CALLS ?? 4);
const content = 'Is this call within budget?';
const maxTokens = process.env.MAX_TOKENS === 'none' ? {} : { max_tokens: 24 };
const call =
  process.env.SDK === 'anthropic'
    ? () =>
        new Anthropic({ apiKey: 'sk-ant-test-key', baseURL: `${base}/anthropic` }).messages.create({
          model: process.env.MODEL ?? 'claude-haiku-4-5',
          max_tokens: 24,
          messages: [{ role: 'user', content }],
        })
    : () =>
        new OpenAI({ apiKey: 'sk-test-key', baseURL: `${base}/openai/v1` }).chat.completions.create({
          model: process.env.MODEL ?? 'gpt-4o-mini',
          ...maxTokens,
          messages: [{ role: 'user', content }],
        });

for (let i = 0; i < count; i++) {
  const started = performance.now();
  try {
    await call();
    console.log(JSON.stringify({ ok: true }));
  } catch (error) {
    console.log(
      JSON.stringify({
        ok: false,
        class: error.constructor.name,
        status: error.status,
        type: error.error?.error?.type ?? error.error?.type,
        blocked: error.headers?.get?.('x-costctl-blocked') ?? error.headers?.['x-costctl-blocked'],
        message: error.message,
        // What the body's own error said (respond), and the CostctlBlockedError the client wrapped (throw).
        bodyMessage: error.error?.error?.message ?? error.error?.message,
        cause: error.cause?.code === undefined ? undefined : { name: error.cause.name, ...error.cause, message: error.cause.message },
        millis: performance.now() - started,
      }),
    );
  }
}
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
