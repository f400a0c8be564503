// An ordinary app on the official clients of the OpenAI-compatible
// providers — openai (also as AzureOpenAI), groq-sdk, @mistralai/mistralai —
// each pointed at one flavour of the fake provider. It makes the calls listed
// in CALLS (JSON), prints one JSON line per call (what the client returned,
// never the content), prints {"done":true}, and stays up until its stdin
// closes, so its /metrics can be scraped.
import { Mistral } from '@mistralai/mistralai';
import Groq from 'groq-sdk';
import OpenAI, { AzureOpenAI } from 'openai';

const calls = JSON.parse(process.env.CALLS ?? '[]');
const base = process.env.FAKE_PROVIDER_URL;
const at = (flavour, scenario) => `${base}/flavour/${flavour}${scenario ? `/scenario/${scenario}` : ''}`;
// The path each client appends its own routes to, as its provider documents it.
const OPENAI_PATHS = { deepseek: '', xai: '/v1', openrouter: '/api/v1', together: '/v1', fireworks: '/inference/v1' };

function client(spec) {
  const retries = spec.retries ?? 0;
  switch (spec.client) {
    case 'azure':
      return new AzureOpenAI({
        apiKey: 'azure-test-key',
        endpoint: at('azure', spec.scenario),
        apiVersion: '2024-10-21',
        deployment: spec.deployment,
        maxRetries: retries,
      });
    case 'azure-v1':
      return new OpenAI({ apiKey: 'azure-test-key', baseURL: `${at('azure', spec.scenario)}/openai/v1`, maxRetries: retries });
    case 'openai':
      return new OpenAI({ apiKey: 'sk-test-key', baseURL: `${base}/openai${spec.scenario ? `/scenario/${spec.scenario}` : ''}/v1`, maxRetries: retries });
    case 'groq':
      return new Groq({ apiKey: 'gsk_test_key', baseURL: at('groq', spec.scenario), maxRetries: retries });
    case 'mistral':
      return new Mistral({ apiKey: 'mistral-test-key', serverURL: at('mistral', spec.scenario) });
    default:
      return new OpenAI({ apiKey: 'test-key', baseURL: `${at(spec.client, spec.scenario)}${OPENAI_PATHS[spec.client]}`, maxRetries: retries });
  }
}

/** Reads a stream to its end; the usage the client saw, wherever its provider put it. */
async function drain(stream) {
  let usage;
  let chars = 0;
  for await (const event of stream) {
    const chunk = event.data ?? event;
    usage = chunk.usage ?? chunk.x_groq?.usage ?? usage;
    const content = chunk.choices?.[0]?.delta?.content;
    chars += typeof content === 'string' ? content.length : 0;
  }
  return { usage, chars };
}

async function call(spec) {
  const sdk = client(spec);
  if (spec.client === 'mistral') {
    if (spec.api === 'embeddings') return { usage: (await sdk.embeddings.create(spec.body)).usage };
    if (spec.api === 'fim') return { usage: (await sdk.fim.complete(spec.body)).usage };
    return spec.stream ? drain(await sdk.chat.stream(spec.body)) : { usage: (await sdk.chat.complete(spec.body)).usage };
  }
  if (spec.api === 'embeddings') return { usage: (await sdk.embeddings.create(spec.body)).usage };
  const response = await sdk.chat.completions.create(spec.body);
  return spec.body.stream ? drain(response) : { usage: response.usage, model: response.model };
}

for (const [index, spec] of calls.entries()) {
  const started = performance.now();
  try {
    console.log(JSON.stringify({ index, ok: true, ...(await call(spec)) }));
  } catch (error) {
    const status = error.status ?? error.statusCode;
    const blocked = error.headers?.get?.('x-costctl-blocked');
    console.log(JSON.stringify({ index, ok: false, error: { name: error.constructor.name, status, blocked, millis: performance.now() - started } }));
  }
}
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
