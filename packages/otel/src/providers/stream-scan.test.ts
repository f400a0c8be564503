import { describe, expect, it } from 'vitest';
import { chatDeltaLength, deltaTextLength, eventType, hasUsageObject } from './stream-scan.js';

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

describe('chatDeltaLength', () => {
  it('measures delta.content like deltaTextLength does, escapes included', () => {
    const chunks = [
      '{"id":"c","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}],"usage":null}',
      '{"id":"c","choices":[{"index":0,"delta":{"content":"say \\\\"hi\\\\" \\\\\\\\"}}]}',
      '{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}',
      '{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"{\\\\"a\\\\":1}"}}]}}]}',
      '{"id":"c","choices":[{"index":0,"delta":{"reasoning_content":"think"}}]}',
      '{"id":"c","choices":[{"index":0,"text":"legacy","finish_reason":null}]}',
      '{"id":"c","choices":[],"usage":{"prompt_tokens":1}}',
    ];
    for (const chunk of chunks) expect(chatDeltaLength(chunk)).toBe(deltaTextLength(chunk));
  });
});
