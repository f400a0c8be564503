// An ordinary app calling paid HTTP APIs that are not LLMs, with plain fetch
// and node:http (CALLS, JSON: {via: fetch|http, method, path, body?}) against
// PAID_API_URL. Prints one JSON line per call: status, the blocked header,
// or the error's code. Then {"done":true}, and stays up until stdin closes.
import { request } from 'node:http';
import { reportCalls } from '../helpers/report-calls.mjs';

const base = process.env.PAID_API_URL;
const calls = JSON.parse(process.env.CALLS ?? '[]');

async function viaFetch({ method, path, body }) {
  const response = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  await response.text();
  return { status: response.status, blocked: response.headers.get('x-costctl-blocked') };
}

function viaHttp({ method, path, body }) {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, blocked: res.headers['x-costctl-blocked'] ?? null }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

await reportCalls(
  calls,
  (spec) => (spec.via === 'http' ? viaHttp(spec) : viaFetch(spec)),
  (error) => ({ name: error.constructor.name, code: error.code, rule: error.rule }),
);
