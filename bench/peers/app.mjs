// The app every side of bench/peers.mjs runs: one Chat Completion at a time
// through the official `openai` client, as JSON (BENCH_STREAM unset) or as a
// stream read chunk by chunk to its usage chunk (BENCH_STREAM=1). It imports
// nothing from any peer. A peer that works by wrapping the client (PostHog)
// hands the app its constructor in globalThis.benchOpenAIClient, as its docs
// have the app build its client; every other side gets `new OpenAI()`.
import OpenAI from 'openai';
import { chatRequest } from '../wire.mjs';
import { serve, settings } from '../workers/serve.mjs';

const stream = process.env.BENCH_STREAM === '1';
const options = { apiKey: 'sk-bench-not-a-key', baseURL: settings.baseUrl, maxRetries: 0 };
const client = globalThis.benchOpenAIClient?.(options) ?? new OpenAI(options);
const body = chatRequest(stream);

async function chatCompletion() {
  const completion = await client.chat.completions.create(body);
  if (completion.usage === undefined) throw new Error('unexpected answer: no usage');
}

async function readStream() {
  const chunks = await client.chat.completions.create(body);
  let usage;
  for await (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
  }
  if (usage === undefined) throw new Error('unexpected stream: no usage chunk');
}

await serve(stream ? readStream : chatCompletion);
