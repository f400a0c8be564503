// An ordinary app on the official OpenAI client making image, audio and
// batch calls (CALLS, JSON: {kind, params}) against OPENAI_BASE_URL. Prints
// one JSON line per call (usage and sizes, never content), then {"done":true}.
import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { reportCalls } from '../helpers/report-calls.mjs';

const openai = new OpenAI({ apiKey: 'sk-test-key', baseURL: process.env.OPENAI_BASE_URL, maxRetries: 0 });
const calls = JSON.parse(process.env.CALLS ?? '[]');

async function call({ kind, params, uploadBytes }) {
  switch (kind) {
    case 'image': {
      const response = await openai.images.generate(params);
      if (!params.stream) return { usage: response.usage ?? null, images: response.data.length };
      let usage;
      for await (const event of response) if (event.type === 'image_generation.completed') usage = event.usage;
      return { usage };
    }
    case 'transcription': {
      const file = await toFile(Buffer.alloc(uploadBytes, 1), 'clip.wav', { type: 'audio/wav' });
      const response = await openai.audio.transcriptions.create({ ...params, file });
      if (!params.stream) return { usage: response.usage ?? null };
      let usage;
      for await (const event of response) if (event.type === 'transcript.text.done') usage = event.usage;
      return { usage };
    }
    case 'transcriptionFromStream': {
      // The README way: a file stream, which the client sends as a streamed multipart body.
      const path = join(mkdtempSync(join(tmpdir(), 'clip-')), 'clip.wav');
      writeFileSync(path, Buffer.alloc(uploadBytes, 1));
      const response = await openai.audio.transcriptions.create({ ...params, file: createReadStream(path) });
      return { usage: response.usage ?? null };
    }
    case 'speech': {
      const response = await openai.audio.speech.create(params);
      return { bytes: (await response.arrayBuffer()).byteLength };
    }
    case 'batch': {
      const batch = await openai.batches.create(params);
      return { status: batch.status };
    }
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

await reportCalls(calls, call, (error) => ({ name: error.constructor.name, status: error.status, message: error.message }));
