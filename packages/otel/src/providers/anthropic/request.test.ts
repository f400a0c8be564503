import { describe, expect, it } from 'vitest';
import { readAnthropicRequest } from './request.js';

const call = { operation: 'chat', api: 'messages' } as const;

describe('readAnthropicRequest', () => {
  it('reads model, stream, max_tokens and the text of system and messages', () => {
    const body = {
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      stream: true,
      system: [{ type: 'text', text: 'You are a contracts lawyer.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: 'Summarise section 4.' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'read', input: { section: 4 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: [{ type: 'text', text: 'Liability is capped.' }] }] },
        { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
      ],
    };
    expect(readAnthropicRequest(call, body, 900)).toEqual({
      operation: 'chat',
      api: 'messages',
      model: 'claude-sonnet-4-5',
      stream: true,
      maxOutputTokens: 1024,
      inputTokenEstimate: Math.ceil((27 + 20 + 20) / 4),
    });
  });

  it('reads a string system prompt', () => {
    expect(readAnthropicRequest(call, { system: 'abcd', messages: [{ role: 'user', content: 'efgh' }] }, 80).inputTokenEstimate).toBe(2);
  });

  it('falls back to bodyLength / 4 when the body could not be parsed', () => {
    expect(readAnthropicRequest(call, undefined, 99)).toEqual({
      operation: 'chat',
      api: 'messages',
      model: undefined,
      stream: false,
      maxOutputTokens: undefined,
      inputTokenEstimate: 25,
    });
  });

  it('ignores fields of the wrong type', () => {
    expect(readAnthropicRequest(call, { model: ['x'], stream: 1, max_tokens: '1024', messages: 7 }, 10)).toMatchObject({
      model: undefined,
      stream: false,
      maxOutputTokens: undefined,
      inputTokenEstimate: 0,
    });
  });
});
