// The OpenAI Chat Completions bytes the bench sends and answers with, in the
// shapes the official SDK sends and api.openai.com returns. Built once, so
// neither the fake server nor the workers spend time making them per call.

export const REQUEST_MODEL = 'gpt-4o-mini';
export const RESPONSE_MODEL = 'gpt-4o-mini-2024-07-18';

/** Tokens the JSON answer reports, and each stream's usage chunk for its prompt. */
export const JSON_USAGE = Object.freeze({ prompt_tokens: 148, completion_tokens: 64 });
export const STREAM_PROMPT_TOKENS = 148;

const SYSTEM = 'You are the billing assistant of a small SaaS company. Answer in two short sentences, in plain English.';
const QUESTION =
  'Our OpenAI spend doubled last week while traffic stayed flat. What are the three most likely causes, and which metric should we look at first?';

/** The chat request body, as the SDK serialises it (`stream` adds the usage option, as users set it). */
export function chatRequest(stream) {
  const body = {
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: QUESTION },
    ],
    model: REQUEST_MODEL,
    max_completion_tokens: 256,
  };
  if (stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  return body;
}

/** Request headers like the SDK's (less its x-stainless-* telemetry). */
export const REQUEST_HEADERS = Object.freeze({
  accept: 'application/json',
  'content-type': 'application/json',
  authorization: 'Bearer sk-bench-not-a-key',
});

const ANSWER =
  'The usual causes are a retry loop re-sending failed calls, a prompt that grew (a longer system prompt or more history), ' +
  'and a switch to a larger model. Look at costctl_tokens_total by token type first: input growth points at prompts, call growth at retries.';

/** A `chat.completion` body, as api.openai.com returns it. */
export function chatCompletionJson() {
  return JSON.stringify({
    id: 'chatcmpl-CJ4mXq7Rk2vT9bWn1sPz8LdY3hGfE',
    object: 'chat.completion',
    created: 1758631512,
    model: RESPONSE_MODEL,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: ANSWER, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      ...JSON_USAGE,
      total_tokens: JSON_USAGE.prompt_tokens + JSON_USAGE.completion_tokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_34a54ae93c',
  });
}

/**
 * A whole `chat.completion.chunk` event stream: a role chunk, `deltas`
 * content chunks (one word each, as OpenAI streams about a token per chunk),
 * a finish chunk, the usage chunk and `data: [DONE]`.
 */
export function chatCompletionStream(deltas) {
  const head = `{"id":"chatcmpl-C3xq8Yd1gKq3ZfJ0mPp2sR7tU9vWx","object":"chat.completion.chunk","created":1754896530,"model":"${RESPONSE_MODEL}","service_tier":"default","system_fingerprint":"fp_34a54ae93c","choices":[`;
  const words = ANSWER.split(' ');
  const events = [
    `data: ${head}{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Yb3kMfqZ"}\n\n`,
  ];
  for (let i = 0; i < deltas; i += 1) {
    const word = JSON.stringify(` ${words[i % words.length]}`);
    events.push(`data: ${head}{"index":0,"delta":{"content":${word}},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"n2WQ"}\n\n`);
  }
  events.push(`data: ${head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null,"obfuscation":"k7Hf"}\n\n`);
  const usage = { prompt_tokens: STREAM_PROMPT_TOKENS, completion_tokens: deltas, total_tokens: STREAM_PROMPT_TOKENS + deltas };
  events.push(`data: ${head}],"usage":${JSON.stringify(usage)},"obfuscation":"Pq"}\n\n`);
  events.push('data: [DONE]\n\n');
  return events.join('');
}
