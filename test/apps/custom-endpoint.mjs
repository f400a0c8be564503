// An app on the official OpenAI client pointed at a self-hosted
// OpenAI-compatible server (vLLM, Ollama, a LiteLLM proxy): BASE_URL, and
// the Chat Completions bodies in CALLS (JSON). Prints one JSON line per call
// (usage only), then {"done":true}, and stays up until stdin closes.
import OpenAI from 'openai';
import { reportCalls } from '../helpers/report-calls.mjs';

const client = new OpenAI({ apiKey: 'sk-local-key', baseURL: process.env.BASE_URL, maxRetries: 0 });
const calls = JSON.parse(process.env.CALLS ?? '[]');

await reportCalls(
  calls,
  async (body) => {
    const response = await client.chat.completions.create(body);
    let usage = response.usage;
    if (body.stream) for await (const chunk of response) usage = chunk.usage ?? usage;
    return { usage };
  },
  (error) => ({ name: error.constructor.name, status: error.status }),
);
