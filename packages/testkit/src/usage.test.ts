import { describe, expect, it } from 'vitest';
import { CANNED_REPLY, expectedReply, expectedUsage } from './usage.js';

const WORDS = CANNED_REPLY.split(' ').length;

describe('expectedUsage', () => {
  it('counts ceil(characters / 4) input tokens over string and text-part contents', () => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'abcde' }, // 5
        {
          role: 'user',
          content: [
            { type: 'text', text: 'fghij' },
            { type: 'image_url', image_url: { url: 'x' } },
          ],
        }, // 5
      ],
    };
    expect(expectedUsage('openai.chat', body)).toEqual({
      prompt_tokens: 3,
      completion_tokens: WORDS,
      total_tokens: 3 + WORDS,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
  });

  it('has 24 output words by default', () => {
    expect(WORDS).toBe(24);
  });

  it('caps output at max_completion_tokens, then max_tokens', () => {
    const messages = [{ role: 'user', content: 'hi' }];
    expect(expectedUsage('openai.chat', { messages, max_tokens: 5 }).completion_tokens).toBe(5);
    expect(expectedUsage('openai.chat', { messages, max_tokens: 5, max_completion_tokens: 7 }).completion_tokens).toBe(7);
    expect(expectedUsage('openai.chat', { messages, max_tokens: 500 }).completion_tokens).toBe(WORDS);
    expect(expectedUsage('openai.chat', { messages, max_tokens: 0 }).completion_tokens).toBe(0);
  });

  it('reports half the input as cached when an OpenAI request sets prompt_cache_key', () => {
    const body = { messages: [{ role: 'user', content: 'x'.repeat(40) }], prompt_cache_key: 'tenant-1' };
    const usage = expectedUsage('openai.chat', body);
    expect(usage.prompt_tokens).toBe(10);
    expect(usage.prompt_tokens_details.cached_tokens).toBe(5);
    expect(expectedUsage('openai.chat', { ...body, prompt_cache_key: '' }).prompt_tokens_details.cached_tokens).toBe(0);
  });

  it('reads the Responses API instructions, string input and item contents', () => {
    expect(expectedUsage('openai.responses', { instructions: 'abcd', input: 'efgh', max_output_tokens: 3 })).toEqual({
      input_tokens: 2,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 3,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 5,
    });
    const items = { input: [{ role: 'user', content: [{ type: 'input_text', text: 'abcdefghi' }] }], prompt_cache_key: 'k' };
    expect(expectedUsage('openai.responses', items)).toMatchObject({ input_tokens: 3, input_tokens_details: { cached_tokens: 1 } });
  });

  it('counts embeddings strings by characters and token ids one each, with no output', () => {
    expect(expectedUsage('openai.embeddings', { input: 'abcdefgh' })).toEqual({ prompt_tokens: 2, total_tokens: 2 });
    expect(expectedUsage('openai.embeddings', { input: ['abcd', 'efghi'] })).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(expectedUsage('openai.embeddings', { input: [1, 2, 3] })).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(expectedUsage('openai.embeddings', { input: [[1, 2], [3]] })).toEqual({ prompt_tokens: 3, total_tokens: 3 });
  });

  it('counts the Anthropic system prompt and excludes nothing without cache_control', () => {
    const body = { max_tokens: 10, system: [{ type: 'text', text: 'abcd' }], messages: [{ role: 'user', content: 'efgh' }] };
    expect(expectedUsage('anthropic.messages', body)).toEqual({
      input_tokens: 2,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: 10,
      service_tier: 'standard',
    });
  });

  it('writes the Anthropic cache on a first turn and reads it on later turns, input excluding both', () => {
    const system = [{ type: 'text', text: 'x'.repeat(80), cache_control: { type: 'ephemeral' } }];
    const first = { max_tokens: 1024, system, messages: [{ role: 'user', content: 'y'.repeat(20) }] };
    expect(expectedUsage('anthropic.messages', first)).toMatchObject({
      input_tokens: 13,
      cache_creation_input_tokens: 12,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 12, ephemeral_1h_input_tokens: 0 },
    });
    const later = { ...first, messages: [...first.messages, { role: 'assistant', content: 'z'.repeat(4) }, { role: 'user', content: 'w' }] };
    expect(expectedUsage('anthropic.messages', later)).toMatchObject({
      input_tokens: 14,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 13,
    });
  });

  it('sees cache_control at the top level and on message content blocks', () => {
    const messages = [{ role: 'user', content: 'abcdefgh' }];
    expect(expectedUsage('anthropic.messages', { max_tokens: 1, messages, cache_control: { type: 'ephemeral' } }).cache_creation_input_tokens).toBe(1);
    const blocks = [{ role: 'user', content: [{ type: 'text', text: 'abcdefgh', cache_control: { type: 'ephemeral' } }] }];
    expect(expectedUsage('anthropic.messages', { max_tokens: 1, messages: blocks }).cache_creation_input_tokens).toBe(1);
  });

  it('ignores fields of the wrong type instead of throwing', () => {
    expect(expectedUsage('openai.chat', { messages: 'nope', max_tokens: 'ten' })).toMatchObject({ prompt_tokens: 0, completion_tokens: WORDS });
    expect(expectedUsage('anthropic.messages', {})).toMatchObject({ input_tokens: 0, output_tokens: WORDS });
  });
});

describe('expectedReply', () => {
  it('is the first N words of the canned reply', () => {
    expect(expectedReply('anthropic.messages', { max_tokens: 3 })).toBe('This reply comes');
    expect(expectedReply('openai.responses', {})).toBe(CANNED_REPLY);
    expect(expectedReply('openai.embeddings', {})).toBe('');
  });
});
