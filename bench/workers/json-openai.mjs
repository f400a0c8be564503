// The same Chat Completions call through the official `openai` client, the
// way users make it (no retries, so a failure shows instead of hiding).
import OpenAI from 'openai';
import { chatRequest } from '../wire.mjs';
import { serve, settings } from './serve.mjs';

const client = new OpenAI({ apiKey: 'sk-bench-not-a-key', baseURL: settings.baseUrl, maxRetries: 0 });
const body = chatRequest(false);

async function chatCompletion() {
  const completion = await client.chat.completions.create(body);
  if (completion.usage === undefined) throw new Error('unexpected answer: no usage');
}

await serve(chatCompletion);
