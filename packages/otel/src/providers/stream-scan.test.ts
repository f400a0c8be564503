import { describe, expect, it } from 'vitest';
import { deltaTextLength, eventType, hasUsageObject } from './stream-scan.js';

describe('deltaTextLength', () => {
  it.each([
    ['{"choices":[{"delta":{"content":"Hello"}}],"obfuscation":"abcdef"}', 5],
    ['{"choices":[{"delta":{"role":"assistant","content":"","refusal":null}}]}', 0],
    ['{"delta":{"type":"text_delta","text":"Hi \\"you\\""}}', 10],
    ['{"delta":{"type":"thinking_delta","thinking":"hmm"}}', 3],
    ['{"delta":{"type":"input_json_delta","partial_json":"{\\"a\\""}}', 6],
    ['{"type":"response.output_text.delta","delta":"Hi","logprobs":[]}', 2],
    ['{"tool_calls":[{"function":{"arguments":"{}"}}]}', 2],
    ['{"delta":{"signature":"EqQBCgIYAh"}}', 0],
    ['{"content": "a", "text" : "bc"}', 3],
    ['{"content":"never closed', 0],
  ])('%s has %d characters of text', (data, chars) => {
    expect(deltaTextLength(data)).toBe(chars);
  });
});

describe('eventType', () => {
  it('prefers the SSE event name, else the first "type" of the data', () => {
    expect(eventType('message_delta', '{"type":"other"}')).toBe('message_delta');
    expect(eventType('message', '{"type":"message_start","message":{"type":"message"}}')).toBe('message_start');
    expect(eventType('message', '{"id":1}')).toBe('');
  });
});

describe('hasUsageObject', () => {
  it('tells a usage object from a null usage and from escaped text', () => {
    expect(hasUsageObject('{"choices":[],"usage":{"prompt_tokens":1}}')).toBe(true);
    expect(hasUsageObject('{"usage" : {}}')).toBe(true);
    expect(hasUsageObject('{"usage":null}')).toBe(false);
    expect(hasUsageObject('{"content":"\\"usage\\": {"}')).toBe(false);
  });
});
