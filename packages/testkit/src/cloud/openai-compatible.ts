/**
 * OpenAI's Chat Completions as a cloud serves it beside its own API (Vertex
 * AI's `…/endpoints/openapi/chat/completions`, Bedrock's
 * `/openai/v1/chat/completions`): the model is named in the body, the
 * answer is OpenAI's JSON or SSE, scenarios come from a `/scenario/<name>/`
 * path segment or a `+<scenario>` model suffix.
 */
import { EventStream, sendJson } from '../body.js';
import { newId } from '../wire/ids.js';
import { openaiChat } from '../wire/openai-chat.js';
import { type Exchange, conclude, pause, requestScenario, sendPlan } from './fake-server.js';

/**
 * Answers one Chat Completions request; `invalid` is the cloud's own error
 * body for a request without a model (or with an unknown scenario).
 *
 * @example
 * if (path.endsWith('/openai/v1/chat/completions')) return answerOpenAiChat(exchange, { message: 'model is required' });
 */
export async function answerOpenAiChat(exchange: Exchange, invalid: object): Promise<void> {
  const { path, body, res, pacing, signal } = exchange;
  const requested = typeof body?.['model'] === 'string' ? body['model'] : '';
  const { model, scenario } = requestScenario(path, requested);
  const stream = body?.['stream'] === true;
  const entry = { method: 'POST', path, api: 'openai.chat', model, stream, scenario: scenario ?? null };
  if (body === undefined || model === '' || scenario === undefined) {
    exchange.record({ ...entry, stream: false, status: 400 });
    (await sendJson(res, 400, {}, invalid, { compress: false, half: false })).end();
    return;
  }
  exchange.record({ ...entry, status: 200 });
  await pause(pacing.latencyMs, signal);
  const call = { model, requestId: newId('', 12), created: Math.floor(Date.now() / 1000), flavour: 'openai' as const };
  if (!stream)
    return conclude(await sendJson(res, 200, {}, openaiChat.json(body, call), { compress: false, half: scenario === 'cut' }), scenario, pacing, signal);
  const plan = openaiChat.stream!(body, call);
  return sendPlan(new EventStream(res, {}, false), { messages: plan.events, halfway: plan.halfway, error: plan.errorEvent }, scenario, pacing, signal);
}
