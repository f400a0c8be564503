/**
 * A fake Cohere v2 API in Cohere's wire format — chat as JSON and as SSE
 * (`event:` + `data:` lines, usage in `message-end`), embed with
 * `meta.billed_units` — for the official `cohere-ai` client unmodified.
 *
 * Accounting, so tests can price calls themselves: billed input tokens are
 * ceil(characters / 4) of the messages' text (embed: of each text, summed);
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
  if (path.endsWith('/v2/embed')) {
    const texts = (body.texts as string[] | undefined) ?? [];
    return { input: texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0), output: 0 };
  }
  const messages = (body.messages as { content: string | { text?: string }[] }[] | undefined) ?? [];
  const chars = messages.reduce((sum, message) => sum + (typeof message.content === 'string' ? message.content.length : message.content.reduce((n, part) => n + (part.text?.length ?? 0), 0)), 0);
  const limit = typeof body.max_tokens === 'number' ? body.max_tokens : REPLY.length;
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
  if (model === undefined || (path !== '/v2/chat' && path !== '/v2/embed')) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ id: crypto.randomUUID(), message: 'invalid request: model is required' }));
    return;
  }
  const billed = cohereBilledUnits(path, body);
  const usage = { billed_units: { input_tokens: billed.input, output_tokens: billed.output }, tokens: { input_tokens: billed.input + TEMPLATE_TOKENS, output_tokens: billed.output } };
  const id = crypto.randomUUID();
  if (path === '/v2/embed') {
    const texts = (body.texts as string[]) ?? [];
    const float = texts.map((_, i) => Array.from({ length: 8 }, (__, j) => Math.fround(((i + 1) * (j + 3)) / 97)));
    sendJson(res, { id, texts, embeddings: { float }, meta: { api_version: { version: '2' }, billed_units: { input_tokens: billed.input } }, response_type: 'embeddings_by_type' });
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
