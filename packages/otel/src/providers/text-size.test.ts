import { describe, expect, it } from 'vitest';
import { textLength, tokensFromChars } from './text-size.js';

describe('tokensFromChars', () => {
  it.each([
    [0, 0],
    [1, 1],
    [4, 1],
    [5, 2],
    [-4, 0],
    [Number.NaN, 0],
  ])('%d characters are %d tokens', (chars, tokens) => {
    expect(tokensFromChars(chars)).toBe(tokens);
  });
});

describe('textLength', () => {
  it('counts strings and arrays of strings', () => {
    expect(textLength('hello')).toBe(5);
    expect(textLength(['ab', 'cde'])).toBe(5);
  });

  it('counts message content and text parts, not roles, ids or image URLs', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        ],
      },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', function: { name: 'f', arguments: '{"a":1}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
    ];
    expect(textLength(messages)).toBe(9 + 13 + 7 + 2);
  });

  it('answers 0 for numbers, null and nesting deeper than any message shape', () => {
    expect(textLength(42)).toBe(0);
    expect(textLength(null)).toBe(0);
    let deep: unknown = 'lost';
    for (let i = 0; i < 20; i += 1) deep = [deep];
    expect(textLength(deep)).toBe(0);
  });
});
