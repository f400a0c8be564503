// An ordinary app driven line by line on stdin: "openai" or "anthropic" makes
// one call with that provider's official client and prints how it went.
// run.mjs starts it under costctl with a small budget, to show budgets and the gate.
import { createInterface } from 'node:readline';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const base = process.env.FAKE_PROVIDER_URL;
const openai = new OpenAI({ apiKey: 'sk-demo', baseURL: `${base}/openai/v1` });
const anthropic = new Anthropic({ apiKey: 'sk-ant-demo', baseURL: `${base}/anthropic` });
const ask = [{ role: 'user', content: 'Draft a status update.' }];
const calls = {
  openai: () => openai.chat.completions.create({ model: 'gpt-4o', max_tokens: 24, messages: ask }),
  anthropic: () => anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 24, messages: ask }),
};

for await (const line of createInterface({ input: process.stdin })) {
  const started = performance.now();
  try {
    await calls[line]();
    console.log(`ok ${line} in ${Math.round(performance.now() - started)} ms`);
  } catch (error) {
    const blocked = error.headers?.get?.('x-costctl-blocked') ?? error.headers?.['x-costctl-blocked'];
    console.log(`${error.constructor.name} ${error.status} from ${line} in ${Math.round(performance.now() - started)} ms, blocked by ${blocked}`);
  }
}
