/** OpenAI Responses API: the `response` object and its typed SSE event stream. */
import type { RequestBody } from '../api.js';
import { expectedUsage, isTruncated, replyWords } from '../usage.js';
import { servedTier } from './chat-flavours.js';
import { type Call, type StreamPlan, type WireFormat, half, namedEvent } from './format.js';
import { newId } from './ids.js';

const API = 'openai.responses';

export const openaiResponses: WireFormat = {
  api: API,

  json(body, call) {
    const ids = { response: newId('resp_', 24), message: newId('msg_', 24) };
    const text = replyWords(API, body).join(' ');
    return responseObject(body, call, ids.response, 'final', [message(ids.message, itemStatus(body), [outputText(text)])]);
  },

  stream(body, call) {
    return events(body, call);
  },
};

/**
 * response.created, response.in_progress, response.output_item.added,
 * response.content_part.added, one response.output_text.delta per word,
 * response.output_text.done, response.content_part.done,
 * response.output_item.done, then response.completed (or
 * response.incomplete when the output limit cut the reply) with the usage.
 */
function events(body: RequestBody, call: Call): StreamPlan {
  const ids = { response: newId('resp_', 24), message: newId('msg_', 24) };
  const words = replyWords(API, body);
  const text = words.join(' ');
  const place = { item_id: ids.message, output_index: 0, content_index: 0 };
  const list: string[] = [];
  const emit = (type: string, payload: object): void => {
    list.push(namedEvent(type, { type, sequence_number: list.length, ...payload }));
  };

  const pending = responseObject(body, call, ids.response, 'in_progress', []);
  emit('response.created', { response: pending });
  emit('response.in_progress', { response: pending });
  emit('response.output_item.added', { output_index: 0, item: message(ids.message, 'in_progress', []) });
  emit('response.content_part.added', { ...place, part: outputText('') });
  words.forEach((word, i) => emit('response.output_text.delta', { ...place, delta: i === 0 ? word : ` ${word}`, logprobs: [] }));
  const halfway = 4 + half(words.length);
  emit('response.output_text.done', { ...place, text, logprobs: [] });
  emit('response.content_part.done', { ...place, part: outputText(text) });
  const item = message(ids.message, itemStatus(body), [outputText(text)]);
  emit('response.output_item.done', { output_index: 0, item });
  const final = responseObject(body, call, ids.response, 'final', [item]);
  emit(isTruncated(API, body) ? 'response.incomplete' : 'response.completed', { response: final });

  const errorEvent = namedEvent('error', {
    type: 'error',
    code: 'server_error',
    message: 'The server had an error while processing your request. Sorry about that!',
    param: null,
    sequence_number: halfway,
  });
  return { events: list, halfway, errorEvent };
}

/** The `response` object; `final` means completed, or incomplete when the output limit cut the reply. */
function responseObject(body: RequestBody, call: Call, id: string, stage: 'in_progress' | 'final', output: readonly object[]): object {
  const truncated = stage === 'final' && isTruncated(API, body);
  const status = stage === 'in_progress' ? 'in_progress' : truncated ? 'incomplete' : 'completed';
  return {
    id,
    object: 'response',
    created_at: call.created,
    status,
    background: false,
    completed_at: status === 'completed' ? call.created : null,
    error: null,
    incomplete_details: truncated ? { reason: 'max_output_tokens' } : null,
    instructions: body['instructions'] ?? null,
    max_output_tokens: body['max_output_tokens'] ?? null,
    max_tool_calls: null,
    model: call.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: body['previous_response_id'] ?? null,
    prompt_cache_key: body['prompt_cache_key'] ?? null,
    reasoning: { effort: null, summary: null },
    safety_identifier: null,
    // The tier asked for while in progress, the one that served the call once final.
    service_tier: stage === 'final' ? servedTier(body) : (body['service_tier'] ?? 'auto'),
    store: body['store'] ?? true,
    temperature: body['temperature'] ?? 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: body['top_p'] ?? 1,
    truncation: 'disabled',
    usage: stage === 'final' ? expectedUsage(API, body) : null,
    user: null,
    metadata: body['metadata'] ?? {},
  };
}

function itemStatus(body: RequestBody): 'completed' | 'incomplete' {
  return isTruncated(API, body) ? 'incomplete' : 'completed';
}

function message(id: string, status: 'in_progress' | 'completed' | 'incomplete', content: readonly object[]): object {
  return { id, type: 'message', status, content, role: 'assistant' };
}

function outputText(text: string): object {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}
