/** Bedrock's answers as AWS writes them: Converse JSON and events, InvokeModel bodies, headers and chunks, errors. */
import type { RequestBody } from '../api.js';
import type { MessagePlan } from '../cloud/fake-server.js';
import { isCut } from '../cloud/reply.js';
import { anthropicMessages } from '../wire/anthropic-messages.js';
import { type EventStreamFrame, eventFrame, exceptionFrame, padding } from './event-stream.js';
import { converseReplyWords, expectedConverseUsage, expectedInvokeCounts, invokeFamily } from './usage.js';

const ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

/**
 * A Bedrock error: the code in `x-amzn-errortype` (with its namespace
 * suffix, as AWS sends it), the message in a JSON body.
 *
 * @example
 * bedrockError(429, 'Too many requests').headers['x-amzn-errortype'] // 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/'
 */
export function bedrockError(status: number, message: string): { headers: Record<string, string>; body: object } {
  const code = ERROR_CODES[status] ?? (status >= 500 ? 'InternalServerException' : 'ValidationException');
  return { headers: { 'x-amzn-errortype': `${code}:http://internal.amazon.com/coral/com.amazon.bedrock/` }, body: { message } };
}

function stopReason(words: readonly string[]): string {
  return isCut(words) ? 'max_tokens' : 'end_turn';
}

function assistant(text: string): object {
  return { message: { content: text === '' ? [] : [{ text }], role: 'assistant' } };
}

/**
 * The Converse answer: the reply, its stop reason and its usage.
 *
 * @example
 * converseJson({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }).usage
 */
export function converseJson(body: RequestBody): object {
  const words = converseReplyWords(body);
  return { metrics: { latencyMs: 312 }, output: assistant(words.join(' ')), stopReason: stopReason(words), usage: expectedConverseUsage(body) };
}

/**
 * ConverseStream's events: messageStart, one contentBlockDelta per word,
 * contentBlockStop, messageStop, then metadata with the usage. `cut` and
 * `stream-error` stop after half the deltas.
 *
 * @example
 * converseStream(body).messages.at(-1) // the metadata event
 */
export function converseStream(body: RequestBody): MessagePlan<EventStreamFrame> {
  const words = converseReplyWords(body);
  const deltas = words.map((word, i) =>
    eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: i === 0 ? word : ` ${word}` }, p: padding(1 + (i % 20)) }),
  );
  return {
    messages: [
      eventFrame('messageStart', { p: padding(34), role: 'assistant' }),
      ...deltas,
      eventFrame('contentBlockStop', { contentBlockIndex: 0, p: padding(23) }),
      eventFrame('messageStop', { p: padding(39), stopReason: stopReason(words) }),
      eventFrame('metadata', { metrics: { latencyMs: 402 }, p: padding(31), usage: expectedConverseUsage(body) }),
    ],
    halfway: 1 + Math.ceil(deltas.length / 2),
    error: streamError(),
  };
}

/**
 * The response headers InvokeModel reports its token counts in.
 *
 * @example
 * invokeHeaders('amazon.titan-embed-text-v2:0', { inputText: 'abc' })['x-amzn-bedrock-input-token-count'] // '1'
 */
export function invokeHeaders(model: string, body: RequestBody): Record<string, string> {
  const counts = expectedInvokeCounts(model, body);
  return {
    'x-amzn-bedrock-input-token-count': String(counts.input),
    'x-amzn-bedrock-output-token-count': String(counts.output),
    'x-amzn-bedrock-cache-read-input-token-count': String(counts.cacheRead),
    'x-amzn-bedrock-cache-write-input-token-count': String(counts.cacheWrite),
    'x-amzn-bedrock-invocation-latency': '287',
  };
}

/** The model name Anthropic's body reports on Bedrock: `us.anthropic.claude-3-5-haiku-20241022-v1:0` → `claude-3-5-haiku-20241022`. */
function anthropicName(model: string): string {
  return model.slice(model.indexOf('anthropic.') + 'anthropic.'.length).replace(/-v\d+(?::\d+)?$/, '');
}

function anthropicCall(model: string, requestId: string) {
  return { model: anthropicName(model), requestId, created: Math.floor(Date.now() / 1000), flavour: 'openai' as const };
}

/**
 * InvokeModel's body, in the model family's own shape.
 *
 * @example
 * invokeJson('amazon.titan-embed-text-v2:0', { inputText: 'abc' }, requestId) // { embedding: […], inputTextTokenCount: 1, … }
 */
export function invokeJson(model: string, body: RequestBody, requestId: string): object {
  switch (invokeFamily(model)) {
    case 'anthropic':
      return anthropicMessages.json(body, anthropicCall(model, requestId));
    case 'titan-embed': {
      const embedding = [0.0213, -0.0457, 0.0118, 0.0391];
      return { embedding, embeddingsByType: { float: embedding }, inputTextTokenCount: expectedInvokeCounts(model, body).input };
    }
    case 'nova': {
      const words = converseReplyWords(body);
      const usage = expectedConverseUsage(body);
      return {
        output: assistant(words.join(' ')),
        stopReason: stopReason(words),
        usage: {
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          totalTokens: usage.totalTokens,
          cacheReadInputTokenCount: usage.cacheReadInputTokens,
          cacheWriteInputTokenCount: usage.cacheWriteInputTokens,
        },
      };
    }
  }
}

/**
 * InvokeModelWithResponseStream's `chunk` events: the model's own stream
 * events, each as base64 JSON in `bytes`, the last one carrying
 * `amazon-bedrock-invocationMetrics`. Undefined for a family that does not
 * stream (embeddings).
 *
 * @example
 * invokeStream('anthropic.claude-3-haiku-20240307-v1:0', body, requestId)?.messages.length
 */
export function invokeStream(model: string, body: RequestBody, requestId: string): MessagePlan<EventStreamFrame> | undefined {
  const family = invokeFamily(model);
  if (family === 'titan-embed') return undefined;
  const counts = expectedInvokeCounts(model, body);
  const metrics = {
    inputTokenCount: counts.input,
    outputTokenCount: counts.output,
    invocationLatency: 402,
    firstByteLatency: 118,
    cacheReadInputTokenCount: counts.cacheRead,
    cacheWriteInputTokenCount: counts.cacheWrite,
  };
  let events: object[];
  let halfway: number;
  if (family === 'anthropic') {
    // The Anthropic fake's own events, read back from their SSE framing.
    const plan = anthropicMessages.stream!(body, anthropicCall(model, requestId));
    events = plan.events.map((event) => JSON.parse(event.slice(event.indexOf('data: ') + 6)) as object);
    halfway = plan.halfway;
  } else {
    const words = converseReplyWords(body);
    events = [
      { messageStart: { role: 'assistant' } },
      ...words.map((word, i) => ({ contentBlockDelta: { delta: { text: i === 0 ? word : ` ${word}` }, contentBlockIndex: 0 } })),
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: stopReason(words) } },
      { metadata: { usage: { inputTokens: counts.input, outputTokens: counts.output }, metrics: {}, trace: {} } },
    ];
    halfway = 1 + Math.ceil(words.length / 2);
  }
  events[events.length - 1] = { ...events[events.length - 1], 'amazon-bedrock-invocationMetrics': metrics };
  const messages = events.map((event, i) => eventFrame('chunk', { bytes: Buffer.from(JSON.stringify(event)).toString('base64'), p: padding(4 + (i % 29)) }));
  return { messages, halfway, error: streamError() };
}

function streamError(): EventStreamFrame {
  return exceptionFrame('modelStreamErrorException', 'The model stream failed. Try your request again.');
}
