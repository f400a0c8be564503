// The streamed Chat Completion through the official `openai` client, read
// chunk by chunk as apps read it (the client splits and parses every event),
// to the usage chunk at the end. No retries, so a failure shows.
import OpenAI from 'openai';
import { chatRequest } from '../wire.mjs';
import { serve, settings } from './serve.mjs';

const client = new OpenAI({ apiKey: 'sk-bench-not-a-key', baseURL: settings.baseUrl, maxRetries: 0 });
const body = chatRequest(true);

async function readStream() {
  const stream = await client.chat.completions.create(body);
  let usage;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
  }
  if (usage === undefined) throw new Error('unexpected stream: no usage chunk');
}

await serve(readStream);
