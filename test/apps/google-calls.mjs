// An ordinary app on @google/genai that knows nothing of costctl: it makes
// the calls listed in CALLS (JSON) against FAKE_GOOGLE_URL, prints one JSON
// line per call (the usage the SDK returned, or the error it raised, never
// the content), prints {"done":true}, and stays up until its stdin closes.
// Each call's `prefix` (e.g. `gemini/scenario/cut`) follows the base URL.
// Claude on Vertex AI and the JSON-array stream (no alt=sse) have no client
// among the dependencies: those calls go through fetch as their SDKs would.
// Vertex AI's OpenAI-compatible endpoint is called with the official openai client.
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';

const calls = JSON.parse(process.env.CALLS ?? '[]');
const base = process.env.FAKE_GOOGLE_URL;
const VERTEX = '/v1/projects/cost-demo/locations/us-east5/publishers';

function client(spec) {
  const baseUrl = `${base}/${spec.prefix}`;
  // Retries on, as an app would configure them: a blocked call must still fail at once.
  const httpOptions = { baseUrl, retryOptions: { attempts: 3, initialDelay: 0.2 } };
  return spec.vertex
    ? new GoogleGenAI({ vertexai: true, project: 'cost-demo', location: 'us-central1', apiKey: 'vertex-test-key', httpOptions })
    : new GoogleGenAI({ apiKey: 'gemini-test-key', httpOptions });
}

async function post(spec, path) {
  const response = await fetch(`${base}/${spec.prefix}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'gemini-test-key' },
    body: JSON.stringify(spec.body),
  });
  const text = await response.text();
  if (!response.ok) throw Object.assign(new Error(text), { status: response.status });
  return text;
}

async function call(spec) {
  const params = { model: spec.model, contents: spec.contents, config: spec.config };
  switch (spec.method) {
    case 'generate': {
      const response = await client(spec).models.generateContent(params);
      return { usage: response.usageMetadata, chars: response.text?.length ?? 0 };
    }
    case 'stream': {
      let usage;
      let chars = 0;
      for await (const chunk of await client(spec).models.generateContentStream(params)) {
        usage = chunk.usageMetadata ?? usage;
        chars += chunk.text?.length ?? 0;
      }
      return { usage, chars };
    }
    case 'embed': {
      const response = await client(spec).models.embedContent({ model: spec.model, contents: spec.contents });
      return { usage: response.usageMetadata, vectors: response.embeddings.length };
    }
    case 'images': {
      const response = await client(spec).models.generateImages({ model: spec.model, prompt: spec.contents, config: spec.config });
      return { images: response.generatedImages.length };
    }
    case 'array-stream': {
      const chunks = JSON.parse(await post(spec, `/v1beta/models/${spec.model}:streamGenerateContent`));
      return { usage: chunks.at(-1).usageMetadata, chunks: chunks.length };
    }
    case 'claude':
    case 'claude-stream': {
      const verb = spec.method === 'claude' ? 'rawPredict' : 'streamRawPredict';
      const text = await post(spec, `${VERTEX}/anthropic/models/${spec.model}:${verb}`);
      return spec.method === 'claude' ? { usage: JSON.parse(text).usage } : { events: text.split('\n\n').length };
    }
    case 'openai-chat':
    case 'openai-chat-stream': {
      const openai = new OpenAI({
        apiKey: 'vertex-access-token',
        baseURL: `${base}/${spec.prefix}/v1/projects/cost-demo/locations/us-central1/endpoints/openapi`,
        maxRetries: 0,
      });
      const params = { model: spec.model, messages: [{ role: 'user', content: spec.contents }] };
      if (spec.method === 'openai-chat') return { usage: (await openai.chat.completions.create(params)).usage };
      let usage;
      for await (const chunk of await openai.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } }))
        usage = chunk.usage ?? usage;
      return { usage };
    }
    default:
      throw new Error(`unknown method ${spec.method}`);
  }
}

for (const [index, spec] of calls.entries()) {
  const started = performance.now();
  try {
    console.log(JSON.stringify({ index, ok: true, ...(await call(spec)) }));
  } catch (error) {
    const { status, message } = error;
    console.log(JSON.stringify({ index, ok: false, error: { name: error.constructor.name, status, message }, millis: performance.now() - started }));
  }
}
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
