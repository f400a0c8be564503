// Records exactly what an app sees from the `undici` package — request(),
// stream(), fetch(), its own Agent — for answers, error statuses, a cut
// stream, an abort mid-stream, undici's own timeouts, a refused connection,
// and a body the app stops reading (backpressure). Run with and without
// costctl, the two records must be identical.
//   FAKE_PROVIDER_URL    a fake provider with 15 ms between stream events
//   SLOW_PROVIDER_URL    one that answers its head, and each stream event, 1.5 s late
//   FLOOD_PORT           a free port: this app serves a 64 MiB stream there itself (flood-server.mjs)
import { Writable } from 'node:stream';
import { Agent, fetch as undiciFetch, request, stream } from 'undici';
import { backpressureRecord, pause, startFlood } from './flood-server.mjs';

const base = `${process.env.FAKE_PROVIDER_URL}/openai/v1`;
const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' };
const chat = (extra = {}) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count to twenty.' }], ...extra });
const streamed = (extra = {}) => chat({ stream: true, stream_options: { include_usage: true }, ...extra });
const stable = (entries) => entries.filter(([name]) => !['date', 'x-request-id', 'keep-alive'].includes(name.toLowerCase()));
const withoutIds = (text) =>
  text.replace(/"(id|created|created_at|system_fingerprint)":("[^"]*"|\d+)/g, '"$1":0').replace(/(chatcmpl|req|resp|msg)_?[-\w]{8,}/g, 'ID');
const errorOf = (error) => ({ class: error.constructor.name, name: error.name, code: error.code, message: error.message, cause: error.cause?.code });

async function viaRequest(body, options = {}) {
  const response = await request(`${base}/chat/completions`, { method: 'POST', headers, body, ...options });
  const text = await response.body.text();
  return { status: response.statusCode, headers: stable(Object.entries(response.headers)), body: withoutIds(text) };
}

async function viaStream() {
  const seen = { chunks: [], status: 0 };
  await stream(`${base}/chat/completions`, { method: 'POST', headers, body: streamed(), opaque: seen }, ({ statusCode, opaque }) => {
    opaque.status = statusCode;
    return new Writable({
      write(chunk, _encoding, done) {
        opaque.chunks.push(chunk);
        done();
      },
    });
  });
  return { status: seen.status, body: withoutIds(Buffer.concat(seen.chunks).toString()) };
}

async function viaFetch() {
  const response = await undiciFetch(`${base}/chat/completions`, { method: 'POST', headers, body: chat() });
  return { status: response.status, headers: stable([...response.headers]), body: withoutIds(await response.text()) };
}

/** Reads a request() body to its end; answers how it ended: the bytes, or the error and the bytes before it. */
async function readToEnd(body) {
  let bytes = 0;
  try {
    for await (const chunk of body) bytes += chunk.length;
    return { bytes };
  } catch (error) {
    return { error: errorOf(error), before: bytes > 0 };
  }
}

async function cutMidStream() {
  const response = await request(`${base}/chat/completions`, { method: 'POST', headers, body: streamed({ model: 'gpt-4o-mini+cut' }) });
  return { status: response.statusCode, ...(await readToEnd(response.body)) };
}

async function abortMidStream() {
  const controller = new AbortController();
  const response = await request(`${base}/chat/completions`, { method: 'POST', headers, body: streamed(), signal: controller.signal });
  const body = response.body;
  for await (const _first of body) break;
  controller.abort();
  return { status: response.statusCode, ...(await readToEnd(body)) };
}

async function abortBeforeAnswer() {
  const controller = new AbortController();
  const pending = request(`${process.env.SLOW_PROVIDER_URL}/openai/v1/chat/completions`, { method: 'POST', headers, body: chat(), signal: controller.signal });
  setTimeout(() => controller.abort(), 20);
  try {
    await pending;
    return { aborted: false };
  } catch (error) {
    return errorOf(error);
  }
}

async function timeouts() {
  // The slow provider's head and its events each come 1.5 s apart; undici's timers tick every half second or so.
  const slow = `${process.env.SLOW_PROVIDER_URL}/openai/v1/chat/completions`;
  const headersTimeout = await request(slow, { method: 'POST', headers, body: chat(), headersTimeout: 200 }).then(() => ({ timedOut: false }), errorOf);
  const response = await request(slow, { method: 'POST', headers, body: streamed(), headersTimeout: 5000, bodyTimeout: 200 });
  return { headersTimeout, bodyTimeout: { status: response.statusCode, ...(await readToEnd(response.body)) } };
}

async function refused() {
  return request('http://127.0.0.1:1/openai/v1/chat/completions', { method: 'POST', headers, body: chat() }).then(() => ({ refused: false }), errorOf);
}

/** The app reads one chunk of a 64 MiB stream, then nothing for 300 ms, then the rest (see flood-server.mjs). */
async function backpressure() {
  const flood = await startFlood(Number(process.env.FLOOD_PORT));
  try {
    const response = await request(flood.url, { method: 'POST', headers, body: streamed() });
    const reader = response.body[Symbol.asyncIterator]();
    let bytes = (await reader.next()).value.length;
    await pause(300);
    const whilePaused = flood.written();
    for (let chunk = await reader.next(); !chunk.done; chunk = await reader.next()) bytes += chunk.value.length;
    return backpressureRecord(whilePaused, flood.written(), bytes);
  } finally {
    await flood.close();
  }
}

async function ownAgent() {
  const agent = new Agent({ connections: 1 });
  try {
    return await viaRequest(chat(), { dispatcher: agent });
  } finally {
    await agent.close();
  }
}

console.log(
  JSON.stringify({
    json: await viaRequest(chat()),
    sse: await viaRequest(streamed()),
    stream: await viaStream(),
    fetch: await viaFetch(),
    error429: await viaRequest(chat({ model: 'gpt-4o-mini+error-429' })),
    error500: await viaRequest(streamed({ model: 'gpt-4o-mini+error' })),
    cut: await cutMidStream(),
    abortMidStream: await abortMidStream(),
    abortBeforeAnswer: await abortBeforeAnswer(),
    timeouts: await timeouts(),
    refused: await refused(),
    ownAgent: await ownAgent(),
    backpressure: await backpressure(),
  }),
);
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
