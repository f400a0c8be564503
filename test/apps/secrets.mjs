// Makes every kind of call with a recognisable API key and prompt — JSON,
// streamed, failed, and blocked (a budget, then the gate, in throw mode) —
// under --import register with a NodeSDK tracing app whose spans are
// exported over OTLP, so a test can search every output for them.
import Anthropic from '@anthropic-ai/sdk';
import { CostSpanProcessor, isCostctlError } from '@costctl/otel';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';

const sdk = new NodeSDK({
  instrumentations: [new UndiciInstrumentation()],
  spanProcessors: [new CostSpanProcessor(), new SimpleSpanProcessor({ exporter: new OTLPTraceExporter() })],
});
sdk.start();

const key = process.env.SECRET_KEY;
const prompt = process.env.SECRET_PROMPT;
const base = process.env.FAKE_PROVIDER_URL;
const openai = new OpenAI({ apiKey: key, baseURL: `${base}/openai/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: key, baseURL: `${base}/anthropic`, maxRetries: 0 });
const messages = [{ role: 'user', content: prompt }];
const errors = [];
const attempt = async (call) => {
  try {
    const result = await call();
    if (result?.[Symbol.asyncIterator]) for await (const _ of result);
  } catch (error) {
    // An SDK wraps a rejected fetch in its own connection error: the costctl error is its cause.
    const costctl = [error, error?.cause].find(isCostctlError);
    errors.push({ costctl: costctl !== undefined, message: String((costctl ?? error)?.message), stack: String((costctl ?? error)?.stack) });
  }
};

await attempt(() => openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 16, messages }));
await attempt(() => openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 16, messages, stream: true, stream_options: { include_usage: true } }));
await attempt(() => openai.responses.create({ model: 'gpt-4o-mini', input: prompt }));
await attempt(() => anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 16, messages }));
await attempt(() => anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 16, messages, stream: true }));
await attempt(() => openai.chat.completions.create({ model: 'gpt-4o-mini+error-500', max_tokens: 16, messages }));
await attempt(() => openai.chat.completions.create({ model: 'gpt-4o-mini+cut', max_tokens: 16, messages, stream: true }));
// Past the budget: blocked, in throw mode.
await attempt(() => openai.chat.completions.create({ model: 'gpt-4o', max_tokens: 100_000, messages }));
console.log(JSON.stringify({ errors }));
await sdk.shutdown();
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
