// Records exactly what the app receives from fetch and undici: status,
// headers, every body byte, how a mid-stream abort fails, and backpressure. Run with and
// without costctl, the two records must be identical.
import { request } from 'undici';
import { backpressureRecord, pause, startFlood } from './flood-server.mjs';

const base = `${process.env.FAKE_PROVIDER_URL}/openai/v1`;
const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' };
const body = (extra) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count to twenty.' }], ...extra });
const stable = (entries) => entries.filter(([name]) => !['date', 'x-request-id', 'keep-alive'].includes(name));
const withoutIds = (text) =>
  text.replace(/"(id|created|created_at|system_fingerprint)":("[^"]*"|\d+)/g, '"$1":0').replace(/(chatcmpl|req|resp|msg)_?[-\w]{8,}/g, 'ID');

async function viaFetch(extra) {
  const response = await fetch(`${base}/chat/completions`, { method: 'POST', headers, body: body(extra) });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: stable([...response.headers]), body: withoutIds(bytes.toString()), bytes: bytes.length };
}

async function viaUndici() {
  const response = await request(`${base}/chat/completions`, { method: 'POST', headers, body: body({}) });
  const text = await response.body.text();
  return { status: response.statusCode, headers: stable(Object.entries(response.headers)), body: withoutIds(text) };
}

async function abortMidStream() {
  const controller = new AbortController();
  const response = await fetch(`${base}/chat/completions`, { method: 'POST', headers, body: body({ stream: true }), signal: controller.signal });
  const reader = response.body.getReader();
  const first = await reader.read();
  controller.abort();
  try {
    for (;;) if ((await reader.read()).done) return { aborted: false };
  } catch (error) {
    return { firstChunk: withoutIds(Buffer.from(first.value).toString()), error: { name: error.name, message: error.message, code: error.code } };
  }
}

async function refused() {
  try {
    await fetch('http://127.0.0.1:1/openai/v1/chat/completions', { method: 'POST', headers, body: body({}) });
  } catch (error) {
    return { name: error.name, message: error.message, cause: error.cause?.code };
  }
}

/** The app reads one chunk of a 64 MiB stream through fetch, then nothing for 300 ms, then the rest. */
async function backpressure() {
  const flood = await startFlood(Number(process.env.FLOOD_PORT));
  try {
    const response = await fetch(flood.url, { method: 'POST', headers, body: body({ stream: true }) });
    const reader = response.body.getReader();
    let bytes = (await reader.read()).value.byteLength;
    await pause(300);
    const whilePaused = flood.written();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.byteLength;
    return backpressureRecord(whilePaused, flood.written(), bytes);
  } finally {
    await flood.close();
  }
}

console.log(
  JSON.stringify({
    json: await viaFetch({}),
    stream: await viaFetch({ stream: true, stream_options: { include_usage: true } }),
    undici: await viaUndici(),
    abort: await abortMidStream(),
    refused: await refused(),
    backpressure: await backpressure(),
  }),
);
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
