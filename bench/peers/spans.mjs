// The in-memory span exporter the tracing peers export to: it keeps no span,
// only counts the ones about a model call (an attribute naming the model),
// and how many of those carry the answer's output tokens. The worker reports
// both at its end (globalThis.benchSpanCount, benchUsageCount), so a peer
// that saw nothing cannot pass for a fast one.
import { JSON_USAGE } from '../wire.mjs';

/** True when `key` names an output-token count in any of the peers' conventions (gen_ai.usage.output_tokens, llm.token_count.completion…). */
const isOutputTokens = (key) => /(?:output|completion)[._]?tokens|token_count\.completion/.test(key);

/** Whether a span's attributes name a model (a model call, not an HTTP span). */
export const isModelCall = (attributes) => Object.keys(attributes).some((key) => /(?:request|response)\.model|llm\.model_name/.test(key));

/** Whether a span's attributes carry `outputTokens` as an output-token count. */
export const hasOutputTokens = (attributes, outputTokens) =>
  Object.entries(attributes).some(([key, value]) => isOutputTokens(key) && Number(value) === outputTokens);

/** The answers' output tokens, as bench/server.mjs sends them: the JSON answer's, or one per streamed delta. */
export function expectedOutputTokens() {
  return process.env.BENCH_STREAM === '1' ? Number(process.env.BENCH_SSE_DELTAS) : JSON_USAGE.completion_tokens;
}

/** A SpanExporter that counts model-call spans and those with the expected output tokens, and publishes the counts to the worker. */
export function countingExporter() {
  const outputTokens = expectedOutputTokens();
  let calls = 0;
  let withUsage = 0;
  globalThis.benchSpanCount = () => calls;
  globalThis.benchUsageCount = () => withUsage;
  return {
    export(spans, done) {
      for (const span of spans) {
        if (!isModelCall(span.attributes)) continue;
        calls += 1;
        if (hasOutputTokens(span.attributes, outputTokens)) withUsage += 1;
      }
      done({ code: 0 });
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
