// A streamed Chat Completion read as raw bytes: fetch, then
// response.body.getReader() to the end. Measures the bytes per second of
// whole streams, one at a time, and each stream's time to its first chunk.
import { chatRequest, REQUEST_HEADERS } from '../wire.mjs';
import { serve, settings } from './serve.mjs';

const url = `${settings.baseUrl}/chat/completions`;
const body = JSON.stringify(chatRequest(true));
const DONE = new TextEncoder().encode('data: [DONE]\n\n');

async function readStream() {
  const start = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { ...REQUEST_HEADERS, accept: 'text/event-stream' }, body });
  const reader = response.body.getReader();
  let chunk = await reader.read();
  const firstByteMs = performance.now() - start;
  let bytes = 0;
  let tail = new Uint8Array(0);
  while (!chunk.done) {
    bytes += chunk.value.byteLength;
    tail = lastBytes(tail, chunk.value);
    chunk = await reader.read();
  }
  if (response.status !== 200 || !endsWith(tail, DONE)) throw new Error(`stream ${response.status} did not end with data: [DONE]`);
  return { bytes, firstByteMs };
}

/** The stream's last DONE.byteLength bytes so far, even when they came split over chunks. */
function lastBytes(tail, chunk) {
  if (chunk.byteLength >= DONE.byteLength) return chunk.subarray(chunk.byteLength - DONE.byteLength);
  const joined = new Uint8Array(tail.byteLength + chunk.byteLength);
  joined.set(tail);
  joined.set(chunk, tail.byteLength);
  return joined.subarray(Math.max(0, joined.byteLength - DONE.byteLength));
}

function endsWith(bytes, suffix) {
  if (bytes.byteLength < suffix.byteLength) return false;
  const offset = bytes.byteLength - suffix.byteLength;
  return suffix.every((byte, i) => bytes[offset + i] === byte);
}

await serve(readStream, (samples) => ({
  bytes: samples.reduce((total, sample) => total + sample.bytes, 0),
  firstByteMs: samples.map((sample) => sample.firstByteMs),
}));
