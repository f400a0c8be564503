/**
 * A fake paid HTTP API that is not an LLM — a search API billed per
 * request, a speech-to-text API reporting the seconds it billed in a header,
 * a text-to-speech API reporting characters in its JSON — for metered-API tests.
 *
 * - `GET /search.json?q=…`: search results;
 * - `POST /v1/listen` with `{"seconds": n}`: `x-audio-seconds: n`; with
 *   `{"seconds": null}` the header is left out;
 * - `POST /v1/speak` with `{"text": "…"}`: `usage.characters` = the text's length;
 * - `POST /v1/notify`: 204, no body (a message sent, billed per request).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocally, readBody, sendJson } from './local-server.js';

export interface FakePaidApi {
  url: string;
  /** `METHOD /path` of every request received, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Starts the fake on 127.0.0.1 (any free port).
 *
 * @example
 * const api = await startFakePaidApi();
 * await fetch(`${api.url}/search.json?q=coffee`);
 */
export async function startFakePaidApi(): Promise<FakePaidApi> {
  const requests: string[] = [];
  const server = await listenLocally((req, res) => answer(req, res, requests));
  return { ...server, requests };
}

async function answer(req: IncomingMessage, res: ServerResponse, requests: string[]): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://fake').pathname;
  requests.push(`${req.method} ${path}`);
  const raw = await readBody(req);
  const body = raw.length === 0 ? {} : (JSON.parse(raw.toString('utf8')) as Record<string, unknown>);
  if (req.method === 'GET' && path === '/search.json') {
    return sendJson(res, {
      search_metadata: { status: 'Success', total_time_taken: 1.21 },
      organic_results: [{ position: 1, title: 'Result', link: 'https://example.com' }],
    });
  }
  if (req.method === 'POST' && path === '/v1/listen') {
    const seconds = body.seconds;
    return sendJson(
      res,
      { results: { channels: [{ alternatives: [{ transcript: 'hello' }] }] } },
      typeof seconds === 'number' ? { 'x-audio-seconds': String(seconds) } : {},
    );
  }
  if (req.method === 'POST' && path === '/v1/notify') {
    res.writeHead(204).end();
    return;
  }
  if (req.method === 'POST' && path === '/v1/speak') {
    return sendJson(res, {
      audio_base64: 'SUQzBAAAAAAAI1RTU0UAAAAPAAADTGF2ZjU4Ljc2LjEwMAAAAAAAAAAAAAAA',
      usage: { characters: String(body.text ?? '').length },
    });
  }
  res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
}
