// Calls the fake provider through every client that rides on node:http —
// axios, node-fetch, got, raw http.request (named ESM import), and the
// official OpenAI and Anthropic SDKs given node-fetch as their fetch — JSON
// and streams, read with 'data' events, pipe() and async iteration. Prints,
// per call, what it sent and what came back, so a test can price each call
// exactly and find it in the ledger by its response id; a call that fails
// (the gate or a budget said no) prints how its client reported it. With
// TRIP_GATE=api the app first trips the gate through costctl's API.
import Anthropic from '@anthropic-ai/sdk';
import axios from 'axios';
import got from 'got';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import nodeFetch from 'node-fetch';
import OpenAI from 'openai';

const base = process.env.FAKE_PROVIDER_URL;
const gzipBase = process.env.FAKE_GZIP_URL ?? base;
const question = (words) => [{ role: 'user', content: `Say ${words}.` }];
const chat = (extra = {}) => ({ model: 'gpt-4o-mini', max_tokens: 24, messages: question('hello'), ...extra });
const streamed = (extra = {}) => chat({ stream: true, stream_options: { include_usage: true }, ...extra });
const message = (extra = {}) => ({ model: 'claude-haiku-4-5', max_tokens: 24, messages: question('hi'), ...extra });
const openaiHeaders = { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' };
const anthropicHeaders = { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test-key', 'anthropic-version': '2023-06-01' };
const idOf = (text) => /"id":"((?:chatcmpl|msg)[-_][^"]+)"/.exec(text)?.[1];

/** Collects a Node stream into a string with pipe(). */
async function piped(stream) {
  let text = '';
  await pipeline(stream, new Writable({ write: (chunk, _encoding, callback) => callback(null, (text += chunk)) }));
  return text;
}

/** Collects a Node stream into a string by async iteration. */
async function iterated(stream) {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

/** POST with the raw node:http request function; `read` decides how the response is consumed. */
function rawPost(url, body, read) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: openaiHeaders }, (res) =>
      read(res).then((text) => resolve({ status: res.statusCode, text, blocked: res.headers['x-costctl-blocked'] }), reject),
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const calls = [
  [
    'axios json',
    'openai.chat',
    chat(),
    async (body) => {
      const res = await axios.post(`${base}/openai/v1/chat/completions`, body, { headers: openaiHeaders, responseType: 'text' });
      return { status: res.status, text: res.data };
    },
  ],
  [
    'axios stream',
    'openai.chat',
    streamed(),
    async (body) => {
      const res = await axios.post(`${base}/openai/v1/chat/completions`, body, { headers: openaiHeaders, responseType: 'stream' });
      return { status: res.status, text: await iterated(res.data) };
    },
  ],
  [
    'axios gzip json',
    'openai.chat',
    chat({ messages: question('gzip') }),
    async (body) => {
      const res = await axios.post(`${gzipBase}/openai/v1/chat/completions`, body, { headers: openaiHeaders, responseType: 'text' });
      return { status: res.status, text: res.data, encoding: res.headers['content-encoding'] ?? null };
    },
  ],
  [
    'node-fetch json',
    'anthropic.messages',
    message(),
    async (body) => {
      const res = await nodeFetch(`${base}/anthropic/v1/messages`, { method: 'POST', headers: anthropicHeaders, body: JSON.stringify(body) });
      return { status: res.status, text: await res.text(), blocked: res.headers.get('x-costctl-blocked') };
    },
  ],
  [
    'node-fetch gzip stream',
    'anthropic.messages',
    message({ stream: true }),
    async (body) => {
      const res = await nodeFetch(`${gzipBase}/anthropic/v1/messages`, { method: 'POST', headers: anthropicHeaders, body: JSON.stringify(body) });
      return {
        status: res.status,
        text: await iterated(res.body),
        encoding: res.headers.get('content-encoding'),
        blocked: res.headers.get('x-costctl-blocked'),
      };
    },
  ],
  [
    'got json',
    'openai.chat',
    chat({ messages: question('got') }),
    async (body) => {
      const res = await got.post(`${base}/openai/v1/chat/completions`, { json: body, headers: openaiHeaders });
      return { status: res.statusCode, text: res.body };
    },
  ],
  [
    'got stream',
    'openai.chat',
    streamed({ messages: question('got stream') }),
    async (body) => {
      return { status: 200, text: await piped(got.stream.post(`${base}/openai/v1/chat/completions`, { json: body, headers: openaiHeaders })) };
    },
  ],
  ['http.request pipe', 'openai.chat', chat({ messages: question('pipe') }), (body) => rawPost(`${base}/openai/v1/chat/completions`, body, piped)],
  [
    'http.request iteration stream',
    'openai.chat',
    streamed({ messages: question('iterate') }),
    (body) => rawPost(`${base}/openai/v1/chat/completions`, body, iterated),
  ],
  [
    'openai sdk json',
    'openai.chat',
    chat({ messages: question('sdk') }),
    async (body) => {
      const completion = await new OpenAI({ apiKey: 'sk-test-key', baseURL: `${base}/openai/v1`, fetch: nodeFetch }).chat.completions.create(body);
      return { status: 200, text: JSON.stringify(completion) };
    },
  ],
  [
    'openai sdk stream',
    'openai.chat',
    streamed({ messages: question('sdk stream') }),
    async (body) => {
      const stream = await new OpenAI({ apiKey: 'sk-test-key', baseURL: `${base}/openai/v1`, fetch: nodeFetch }).chat.completions.create(body);
      let text = '';
      for await (const chunk of stream) text += JSON.stringify(chunk);
      return { status: 200, text };
    },
  ],
  [
    'anthropic sdk json',
    'anthropic.messages',
    message({ messages: question('sdk') }),
    async (body) => {
      const reply = await new Anthropic({ apiKey: 'sk-ant-test-key', baseURL: `${base}/anthropic`, fetch: nodeFetch }).messages.create(body);
      return { status: 200, text: JSON.stringify(reply) };
    },
  ],
];

/** How a client reported a failure: its class, status and costctl's header or code, and how long it took. */
function failure(error, started) {
  const headers = error.response?.headers ?? error.headers;
  const header = (name) => (typeof headers?.get === 'function' ? headers.get(name) : headers?.[name]) ?? null;
  return {
    ok: false,
    class: error.constructor.name,
    status: error.status ?? error.response?.status ?? error.response?.statusCode ?? null,
    code: error.code ?? error.cause?.code ?? null,
    blocked: header('x-costctl-blocked'),
    message: error.message,
    millis: performance.now() - started,
  };
}

if (process.env.TRIP_GATE === 'api') {
  const { start } = await import('@costctl/otel');
  // Under --import register this is the running costctl.
  await start().gate.trip({ reason: 'tripped by the app', actor: 'node-http-clients' });
}

for (const [client, api, body, call] of calls) {
  if (process.env.ONLY && !process.env.ONLY.split(',').includes(client)) continue;
  const started = performance.now();
  try {
    const { status, text, encoding, blocked } = await call(body);
    // node-fetch and http.request resolve a 402 instead of rejecting: report it as a refusal too.
    if (status !== 200) console.log(JSON.stringify({ client, ok: false, status, blocked, millis: performance.now() - started }));
    else console.log(JSON.stringify({ client, ok: true, api, body, status, id: idOf(text), bytes: text.length, encoding }));
  } catch (error) {
    console.log(JSON.stringify({ client, ...failure(error, started) }));
  }
}
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
