// An ordinary app on the official Cohere clients (cohere-ai): it makes the
// calls listed in CALLS (JSON: {kind, params}; chat, chatStream, embed and
// rerank go through CohereClientV2, chatV1, chatStreamV1, embedV1 and
// rerankV1 through the v1 CohereClient) against
// COHERE_URL, prints one JSON line per call (usage and sizes, never content),
// prints {"done":true}, and stays up until its stdin closes.
import { CohereClient, CohereClientV2 } from 'cohere-ai';
import { reportCalls } from '../helpers/report-calls.mjs';

const cohere = new CohereClientV2({ token: 'co-test-key', environment: process.env.COHERE_URL });
const cohereV1 = new CohereClient({ token: 'co-test-key', environment: process.env.COHERE_URL });
const calls = JSON.parse(process.env.CALLS ?? '[]');

async function call({ kind, params }) {
  switch (kind) {
    case 'chat': {
      const response = await cohere.chat(params);
      return { usage: response.usage, chars: response.message.content[0].text.length };
    }
    case 'chatStream': {
      let chars = 0;
      let usage;
      for await (const event of await cohere.chatStream(params)) {
        if (event.type === 'content-delta') chars += event.delta.message.content.text.length;
        if (event.type === 'message-end') usage = event.delta.usage;
      }
      return { usage, chars };
    }
    case 'embed': {
      const response = await cohere.embed(params);
      return { usage: response.meta.billedUnits, vectors: response.embeddings.float.length };
    }
    case 'chatV1': {
      const response = await cohereV1.chat(params);
      return { usage: response.meta.billedUnits, chars: response.text.length };
    }
    case 'chatStreamV1': {
      let chars = 0;
      let usage;
      for await (const event of await cohereV1.chatStream(params)) {
        if (event.eventType === 'text-generation') chars += event.text.length;
        if (event.eventType === 'stream-end') usage = event.response.meta.billedUnits;
      }
      return { usage, chars };
    }
    case 'embedV1': {
      const response = await cohereV1.embed(params);
      return { usage: response.meta.billedUnits, vectors: response.embeddings.length };
    }
    case 'rerank': {
      const response = await cohere.rerank(params);
      return { usage: response.meta.billedUnits, results: response.results.length };
    }
    case 'rerankV1': {
      const response = await cohereV1.rerank(params);
      return { usage: response.meta.billedUnits, results: response.results.length };
    }
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

await reportCalls(calls, call, (error) => ({ name: error.constructor.name, status: error.statusCode, body: error.body }));
