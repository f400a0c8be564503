/**
 * Cheap looks into SSE event data without JSON.parse: most stream events are
 * only counted, and parsing each one would cost more than the rest of the path.
 */

// String values that carry generated text in OpenAI and Anthropic delta events (`reasoning`: Groq's and OpenRouter's reasoning deltas).
const DELTA_TEXT = /"(?:content|text|thinking|partial_json|arguments|refusal|reasoning_content|reasoning|delta)"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"/g;
const TYPE_FIELD = /"type"\s*:\s*"([^"\\]*)"/;
const USAGE_OBJECT = /"usage"\s*:\s*\{/;

/**
 * Characters of generated text in one delta event's JSON (as written on the
 * wire, escapes included), without parsing it.
 *
 * @example
 * deltaTextLength('{"delta":{"type":"text_delta","text":"Hello"}}') // 5
 */
export function deltaTextLength(data: string): number {
  let total = 0;
  DELTA_TEXT.lastIndex = 0;
  for (let match = DELTA_TEXT.exec(data); match !== null; match = DELTA_TEXT.exec(data)) {
    total += match[1]?.length ?? 0;
  }
  return total;
}

/**
 * The event type of an SSE event: its `event:` name, or else the first
 * `"type"` of its data (both providers write it first), or ''.
 */
export function eventType(event: string, data: string): string {
  if (event !== 'message') return event;
  return TYPE_FIELD.exec(data)?.[1] ?? '';
}

/** True when the data holds a `"usage": {…}` object (not `"usage": null`). */
export function hasUsageObject(data: string): boolean {
  // Usage comes last in OpenAI's chunks: a search from the end finds it, or its null, at once.
  const at = data.lastIndexOf('"usage"');
  if (at === -1) return false;
  return USAGE_OBJECT.test(data.slice(at)) || (data.indexOf('"usage"') !== at && USAGE_OBJECT.test(data));
}

/**
 * Characters of `delta.content` in one OpenAI chat chunk, found by search
 * rather than a regex over the whole chunk: the per-chunk work of a stream.
 *
 * @example
 * chatDeltaLength('{"choices":[{"delta":{"content":"Hel\\"lo"}}]}') // 7
 */
export function chatDeltaLength(data: string): number {
  const delta = data.indexOf('"delta"');
  // Legacy completions carry `text`, not a delta.
  if (delta === -1) return deltaTextLength(data);
  const key = data.indexOf('"content":"', delta);
  if (key === -1) return deltaTextLength(data.slice(delta));
  const start = key + '"content":"'.length;
  let end = data.indexOf('"', start);
  // Skip escaped quotes: a quote preceded by an odd number of backslashes is content.
  while (end !== -1 && isEscaped(data, end)) end = data.indexOf('"', end + 1);
  return end === -1 ? 0 : end - start;
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let i = quote - 1; i >= 0 && text.charCodeAt(i) === 92; i--) backslashes++;
  return backslashes % 2 === 1;
}
