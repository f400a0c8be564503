/** Anthropic Messages: the `message` JSON and its named SSE events. */
import type { RequestBody } from '../api.js';
import { expectedUsage, isTruncated, replyWords } from '../usage.js';
import { anthropicError } from './errors.js';
import { type Call, type StreamPlan, type WireFormat, half, namedEvent } from './format.js';
import { newId } from './ids.js';

const API = 'anthropic.messages';

export const anthropicMessages: WireFormat = {
  api: API,

  json(body, call) {
    const text = replyWords(API, body).join(' ');
    return {
      ...messageHead(call),
      content: text === '' ? [] : [{ type: 'text', text }],
      stop_reason: stopReason(body),
      stop_sequence: null,
      usage: expectedUsage(API, body),
    };
  },

  stream(body, call) {
    return events(body, call);
  },
};

/**
 * message_start (usage so far, `output_tokens: 1`), content_block_start,
 * ping, one content_block_delta per word, content_block_stop, message_delta
 * (cumulative usage, replacing the earlier values), message_stop.
 */
function events(body: RequestBody, call: Call): StreamPlan {
  const usage = expectedUsage(API, body);
  const words = replyWords(API, body);
  const list: string[] = [];
  const emit = (type: string, payload: object): void => {
    list.push(namedEvent(type, { type, ...payload }));
  };

  emit('message_start', {
    message: { ...messageHead(call), content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  });
  emit('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  emit('ping', {});
  words.forEach((word, i) => emit('content_block_delta', { index: 0, delta: { type: 'text_delta', text: i === 0 ? word : ` ${word}` } }));
  const halfway = 3 + half(words.length);
  emit('content_block_stop', { index: 0 });
  emit('message_delta', {
    delta: { stop_reason: stopReason(body), stop_sequence: null },
    usage: {
      input_tokens: usage.input_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens,
      output_tokens: usage.output_tokens,
    },
  });
  emit('message_stop', {});

  const errorEvent = namedEvent('error', {
    type: 'error',
    error: anthropicError(500, 'Internal server error'),
    request_id: call.requestId,
  });
  return { events: list, halfway, errorEvent };
}

function messageHead(call: Call): object {
  return { id: newId('msg_01', 11), type: 'message', role: 'assistant', model: call.model };
}

function stopReason(body: RequestBody): 'end_turn' | 'max_tokens' {
  return isTruncated(API, body) ? 'max_tokens' : 'end_turn';
}
