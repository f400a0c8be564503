// Records exactly what an app receives through node:http clients — status,
// headers, every body byte, how cancellations and failures surface, and
// backpressure on a response the app pauses — so
// that runs with and without costctl can be compared line for line.
import axios from 'axios';
import got from 'got';
import http from 'node:http';
import nodeFetch from 'node-fetch';
import { backpressureRecord, pause, startFlood } from './flood-server.mjs';

const base = `${process.env.FAKE_PROVIDER_URL}/openai/v1`;
const refusedBase = `${process.env.REFUSED_URL}/openai/v1`;
const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' };
const body = (extra = {}) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count to twenty.' }], ...extra });
const stable = (object) => Object.fromEntries(Object.entries(object).filter(([name]) => !['date', 'x-request-id', 'keep-alive'].includes(name)));
const withoutIds = (text) =>
  text.replace(/"(id|created|created_at|system_fingerprint)":("[^"]*"|\d+)/g, '"$1":0').replace(/(chatcmpl|req|resp|msg)_?[-\w]{8,}/g, 'ID');
const failure = (error) => ({
  class: error.constructor.name,
  name: error.name,
  message: error.message,
  code: error.code ?? null,
  status: error.response?.status ?? error.response?.statusCode ?? null,
});

/** One raw http.request exchange: the events in order, the status, headers and bytes. */
function raw(url, payload, { destroyAfterFirstChunk = false } = {}) {
  return new Promise((resolve) => {
    const seen = { events: [], bytes: '' };
    const req = http.request(url, { method: 'POST', headers });
    req.on('error', (error) => seen.events.push(`request error ${error.code} ${error.message}`));
    req.on('close', () => {
      seen.events.push('request close');
      setTimeout(() => resolve({ ...seen, bytes: withoutIds(seen.bytes) }), 20);
    });
    req.on('response', (res) => {
      Object.assign(seen, { status: res.statusCode, message: res.statusMessage, headers: stable(res.headers) });
      res.on('data', (chunk) => {
        seen.bytes += chunk;
        if (destroyAfterFirstChunk) req.destroy();
      });
      res.on('error', (error) => seen.events.push(`response error ${error.code} ${error.message}`));
      res.on('end', () => seen.events.push('response end'));
      res.on('close', () => seen.events.push('response close'));
    });
    req.end(payload);
  });
}

async function axiosAbortMidStream() {
  const controller = new AbortController();
  const res = await axios.post(`${base}/chat/completions`, body({ stream: true }), { headers, responseType: 'stream', signal: controller.signal });
  let first;
  try {
    for await (const chunk of res.data) {
      first ??= withoutIds(String(chunk));
      controller.abort();
    }
    return { aborted: false };
  } catch (error) {
    return { first, error: failure(error) };
  }
}

const settle = (promise) =>
  promise.then(
    (value) => value,
    (error) => ({ rejected: failure(error) }),
  );

/** The app takes one chunk of a 64 MiB stream from http.request, pauses the response for 300 ms, then reads the rest. */
async function backpressure() {
  const flood = await startFlood(Number(process.env.FLOOD_PORT));
  try {
    return await new Promise((resolve, reject) => {
      const req = http.request(flood.url, { method: 'POST', headers }, (res) => {
        let bytes = 0;
        res.once('data', async (chunk) => {
          bytes += chunk.length;
          res.pause();
          await pause(300);
          const whilePaused = flood.written();
          res.on('data', (more) => (bytes += more.length));
          res.on('end', () => resolve(backpressureRecord(whilePaused, flood.written(), bytes)));
          res.resume();
        });
      });
      req.on('error', reject);
      req.end(body({ stream: true }));
    });
  } finally {
    await flood.close();
  }
}

console.log(
  JSON.stringify({
    rawJson: await raw(`${base}/chat/completions`, body()),
    rawStream: await raw(`${base}/chat/completions`, body({ stream: true, stream_options: { include_usage: true } })),
    rawDestroyed: await raw(`${base}/chat/completions`, body({ stream: true }), { destroyAfterFirstChunk: true }),
    rawCut: await raw(`${base}/chat/completions`, body({ model: 'gpt-4o-mini+cut', stream: true })),
    axiosJson: await settle(
      axios
        .post(`${base}/chat/completions`, body(), { headers, responseType: 'text' })
        .then((res) => ({ status: res.status, headers: stable(res.headers), data: withoutIds(res.data) })),
    ),
    axios429: await settle(axios.post(`${base}/chat/completions`, body({ model: 'gpt-4o-mini+error-429' }), { headers })),
    axiosAbort: await axiosAbortMidStream(),
    axiosRefused: await settle(axios.post(`${refusedBase}/chat/completions`, body(), { headers })),
    gotStream: await settle(
      got
        .post(`${base}/chat/completions`, { body: body({ stream: true }), headers })
        .then((res) => ({ status: res.statusCode, headers: stable(res.headers), body: withoutIds(res.body) })),
    ),
    nodeFetchJson: await settle(
      nodeFetch(`${base}/chat/completions`, { method: 'POST', headers, body: body() }).then(async (res) => ({
        status: res.status,
        headers: stable(Object.fromEntries(res.headers)),
        text: withoutIds(await res.text()),
      })),
    ),
    nodeFetchRefused: await settle(nodeFetch(`${refusedBase}/chat/completions`, { method: 'POST', headers, body: body() })),
    backpressure: await backpressure(),
  }),
);
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
