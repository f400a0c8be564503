/** OpenAI Chat Completions: `chat.completion` JSON and `chat.completion.chunk` SSE. */
import type { RequestBody } from '../api.js';
import { expectedUsage, isTruncated, replyWords } from '../usage.js';
import { openaiError } from './errors.js';
import { type Call, type StreamPlan, type WireFormat, dataEvent, half } from './format.js';
import { newId } from './ids.js';

const API = 'openai.chat';
const FINGERPRINT = 'fp_c0571c7e5t';

export const openaiChat: WireFormat = {
  api: API,

  json(body, call) {
    return {
      id: newId('chatcmpl-', 14),
      object: 'chat.completion',
      created: call.created,
      model: call.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: replyWords(API, body).join(' '), refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: finishReason(body),
        },
      ],
      usage: expectedUsage(API, body),
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
    };
  },

  stream(body, call) {
    return chunks(body, call);
  },
};

/** Role delta, one content delta per word, the finish chunk, then (if asked) the usage chunk and `[DONE]`. */
function chunks(body: RequestBody, call: Call): StreamPlan {
  const options = body['stream_options'];
  const includeUsage = typeof options === 'object' && options !== null && (options as RequestBody)['include_usage'] === true;
  const head = {
    id: newId('chatcmpl-', 14),
    object: 'chat.completion.chunk',
    created: call.created,
    model: call.model,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  };
  // With include_usage every chunk carries `usage`: null until the last one.
  const chunk = (choices: readonly object[]): string =>
    dataEvent(includeUsage ? { ...head, choices, usage: null } : { ...head, choices });
  const choice = (delta: object, finish: string | null): object => ({ index: 0, delta, logprobs: null, finish_reason: finish });

  const words = replyWords(API, body);
  const events = [chunk([choice({ role: 'assistant', content: '', refusal: null }, null)])];
  words.forEach((word, i) => events.push(chunk([choice({ content: i === 0 ? word : ` ${word}` }, null)])));
  events.push(chunk([choice({}, finishReason(body))]));
  if (includeUsage) events.push(dataEvent({ ...head, choices: [], usage: expectedUsage(API, body) }));
  events.push(dataEvent('[DONE]'));

  const error = openaiError(500, 'The server had an error while processing your request. Sorry about that!');
  return { events, halfway: 1 + half(words.length), errorEvent: dataEvent({ error }) };
}

function finishReason(body: RequestBody): 'stop' | 'length' {
  return isTruncated(API, body) ? 'length' : 'stop';
}
