// An ordinary app that knows nothing of costctl: it makes the calls listed
// in CALLS (JSON) with the official SDK clients, prints one JSON line per
// call (what the SDK returned, never the content), prints {"done":true},
// and stays up until its stdin closes, so its /metrics can be scraped.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const calls = JSON.parse(process.env.CALLS ?? '[]');
const base = process.env.FAKE_PROVIDER_URL;
const openai = (scenario) => new OpenAI({ apiKey: 'sk-test-key', baseURL: `${base}/openai${scenario ? `/scenario/${scenario}` : ''}/v1`, maxRetries: 0 });
const anthropic = (scenario) =>
  new Anthropic({ apiKey: 'sk-ant-test-key', baseURL: `${base}/anthropic${scenario ? `/scenario/${scenario}` : ''}`, maxRetries: 0 });

async function drain(stream) {
  let text = '';
  let usage;
  for await (const event of stream) {
    if (event.usage) usage = event.usage;
    text += event.choices?.[0]?.delta?.content ?? event.delta?.text ?? '';
    if (event.type === 'response.completed') usage = event.response.usage;
    if (event.type === 'message_delta') usage = event.usage;
  }
  return { chars: text.length, usage };
}

async function call(spec) {
  switch (spec.api) {
    case 'openai.chat': {
      const response = await openai(spec.scenario).chat.completions.create(spec.body);
      return spec.body.stream ? drain(response) : { usage: response.usage, chars: response.choices[0].message.content.length };
    }
    case 'openai.responses': {
      const response = await openai(spec.scenario).responses.create(spec.body);
      return spec.body.stream ? drain(response) : { usage: response.usage, chars: response.output_text.length };
    }
    case 'openai.embeddings': {
      const response = await openai(spec.scenario).embeddings.create(spec.body);
      return { usage: response.usage, vectors: response.data.length };
    }
    case 'anthropic.messages': {
      const response = await anthropic(spec.scenario).messages.create(spec.body);
      return spec.body.stream ? drain(response) : { usage: response.usage, chars: response.content[0].text.length };
    }
    default:
      throw new Error(`unknown api ${spec.api}`);
  }
}

for (const [index, spec] of calls.entries()) {
  try {
    console.log(JSON.stringify({ index, ok: true, ...(await call(spec)) }));
  } catch (error) {
    console.log(JSON.stringify({ index, ok: false, error: { name: error.constructor.name, status: error.status, message: error.message } }));
  }
}
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
