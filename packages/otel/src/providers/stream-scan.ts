/**
 * Cheap looks into SSE event data without JSON.parse: most stream events are
 * only counted, and parsing each one would cost more than the rest of the path.
 */

// String values that carry generated text in OpenAI and Anthropic delta events.
const DELTA_TEXT =
  /"(?:content|text|thinking|partial_json|arguments|refusal|reasoning_content|delta)"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"/g;
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
  return USAGE_OBJECT.test(data);
}
