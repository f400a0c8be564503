/**
 * A fake Cohere API in Cohere's wire formats, for the official `cohere-ai`
 * clients unmodified: v2 chat as JSON and as SSE (`event:` + `data:` lines,
 * usage in `message-end`); v1 chat as JSON and as JSON Lines
 * (`application/stream+json`, one event a line, the whole answer with its
 * `meta` in `stream-end`); v2 and v1 embed with `meta.billed_units`; v2 and
 * v1 rerank, billed one search unit per 100 documents or part of them.
 *
 * Accounting, so tests can price calls themselves: billed input tokens are
 * ceil(characters / 4) of the messages' text (v1: of the message, preamble
 * and history turns; embed: of each text, summed);
 * billed output tokens are the words of the reply, at most `max_tokens`;
 * `tokens` adds Cohere's prompt template (66 input tokens) to the billed input.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocally, readBody, sendJson } from './local-server.js';

const REPLY = 'Budgets stop runaway agents before they spend the money you did not plan for today.'.split(' ');
const TEMPLATE_TOKENS = 66;

export interface CohereRequest {
  path: string;
  model: string | undefined;
  stream: boolean;
}

export interface FakeCohere {
  url: string;
  requests: CohereRequest[];
  close(): Promise<void>;
}

/** The billed units the fake reports for a chat or embed body. */
export function cohereBilledUnits(path: string, body: Record<string, unknown>): { input: number; output: number } {
  if (path.endsWith('/embed')) {
    const texts = (body.texts as string[] | undefined) ?? [];
    return { input: texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0), output: 0 };
  }
  const limit = typeof body.max_tokens === 'number' ? body.max_tokens : REPLY.length;
  if (path.endsWith('/v1/chat')) {
    const history = (body.chat_history as { message: string }[] | undefined) ?? [];
    const chars = String(body.message ?? '').length + String(body.preamble ?? '').length + history.reduce((sum, turn) => sum + turn.message.length, 0);
    return { input: Math.ceil(chars / 4), output: Math.min(REPLY.length, limit) };
  }
  const messages = (body.messages as { content: string | { text?: string }[] }[] | undefined) ?? [];
  const chars = messages.reduce(
    (sum, message) =>
      sum + (typeof message.content === 'string' ? message.content.length : message.content.reduce((n, part) => n + (part.text?.length ?? 0), 0)),
    0,
  );
  return { input: Math.ceil(chars / 4), output: Math.min(REPLY.length, limit) };
}

/**
 * Starts the fake on 127.0.0.1 (any free port).
 *
 * @example
 * const cohere = await startFakeCohere();
 * const client = new CohereClientV2({ token: 'test', environment: cohere.url });
 */
export async function startFakeCohere(): Promise<FakeCohere> {
  const requests: CohereRequest[] = [];
  const server = await listenLocally((req, res) => answer(req, res, requests));
  return { ...server, requests };
}

async function answer(req: IncomingMessage, res: ServerResponse, requests: CohereRequest[]): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://fake').pathname;
  const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>;
  const model = typeof body.model === 'string' ? body.model : undefined;
  requests.push({ path, model, stream: body.stream === true });
  if (path === '/v1/chat') return answerChatV1(res, body);
  if (path === '/v2/rerank' || path === '/v1/rerank') return answerRerank(res, path, body);
  if (model === undefined || (path !== '/v2/chat' && path !== '/v2/embed' && path !== '/v1/embed')) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ id: crypto.randomUUID(), message: 'invalid request: model is required' }));
    return;
  }
  const billed = cohereBilledUnits(path, body);
  const usage = {
    billed_units: { input_tokens: billed.input, output_tokens: billed.output },
    tokens: { input_tokens: billed.input + TEMPLATE_TOKENS, output_tokens: billed.output },
  };
  const id = crypto.randomUUID();
  if (path.endsWith('/embed')) {
    const texts = (body.texts as string[]) ?? [];
    const float = texts.map((_, i) => Array.from({ length: 8 }, (__, j) => Math.fround(((i + 1) * (j + 3)) / 97)));
    // v1 answers a bare array of float vectors unless embedding types are asked for.
    const v1 = path === '/v1/embed';
    const meta = { api_version: { version: v1 ? '1' : '2' }, billed_units: { input_tokens: billed.input } };
    sendJson(res, { id, texts, embeddings: v1 ? float : { float }, meta, response_type: v1 ? 'embeddings_floats' : 'embeddings_by_type' });
    return;
  }
  const words = REPLY.slice(0, billed.output).map((word, i) => (i === 0 ? word : ` ${word}`));
  const finish = billed.output < REPLY.length ? 'MAX_TOKENS' : 'COMPLETE';
  if (body.stream !== true) {
    sendJson(res, { id, message: { role: 'assistant', content: [{ type: 'text', text: words.join('') }] }, finish_reason: finish, usage });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const events: [string, object][] = [
    ['message-start', { id, delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } }],
    ['content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }],
    ...words.map((text): [string, object] => ['content-delta', { index: 0, delta: { message: { content: { text } } } }]),
    ['content-end', { index: 0 }],
    ['message-end', { delta: { finish_reason: finish, usage } }],
  ];
  for (const [type, data] of events) res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  res.end();
}

/** v1 chat: the model may be left out (Cohere then picks its default); the history comes back with the two new turns. */
function answerChatV1(res: ServerResponse, body: Record<string, unknown>): void {
  const billed = cohereBilledUnits('/v1/chat', body);
  const text = REPLY.slice(0, billed.output).join(' ');
  const history = [
    ...((body.chat_history as object[] | undefined) ?? []),
    { role: 'USER', message: String(body.message ?? '') },
    { role: 'CHATBOT', message: text },
  ];
  const answer = {
    response_id: crypto.randomUUID(),
    text,
    generation_id: crypto.randomUUID(),
    chat_history: history,
    finish_reason: billed.output < REPLY.length ? 'MAX_TOKENS' : 'COMPLETE',
    meta: {
      api_version: { version: '1' },
      billed_units: { input_tokens: billed.input, output_tokens: billed.output },
      tokens: { input_tokens: billed.input + TEMPLATE_TOKENS, output_tokens: billed.output },
    },
  };
  if (body.stream !== true) {
    sendJson(res, answer);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/stream+json', 'cache-control': 'no-cache' });
  const events = [
    { is_finished: false, event_type: 'stream-start', generation_id: answer.generation_id },
    ...REPLY.slice(0, billed.output).map((word, i) => ({ is_finished: false, event_type: 'text-generation', text: i === 0 ? word : ` ${word}` })),
    { is_finished: true, event_type: 'stream-end', response: answer, finish_reason: answer.finish_reason },
  ];
  for (const event of events) res.write(`${JSON.stringify(event)}\n`);
  res.end();
}

/** Rerank: every document scored, the best `top_n` answered; one search unit per 100 documents or part of them. */
function answerRerank(res: ServerResponse, path: string, body: Record<string, unknown>): void {
  const documents = (body.documents as unknown[] | undefined) ?? [];
  const results = documents
    .map((_, index) => ({ index, relevance_score: 1 / (index + 2) }))
    .slice(0, typeof body.top_n === 'number' ? body.top_n : documents.length);
  const meta = { api_version: { version: path === '/v1/rerank' ? '1' : '2' }, billed_units: { search_units: cohereSearchUnits(documents.length) } };
  sendJson(res, { id: crypto.randomUUID(), results, meta });
}

/** The search units the fake bills a rerank of `documents` documents. */
export function cohereSearchUnits(documents: number): number {
  return Math.max(1, Math.ceil(documents / 100));
}
