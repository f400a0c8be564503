import { describe, expect, it } from 'vitest';
import { messagesTokenUsage, messagesUsage, readUsageFields } from './usage.js';

describe('messagesUsage', () => {
  it('adds cache reads and writes back into the input total', () => {
    expect(
      messagesUsage({
        input_tokens: 14,
        cache_creation_input_tokens: 1536,
        cache_read_input_tokens: 20480,
        cache_creation: { ephemeral_5m_input_tokens: 1536, ephemeral_1h_input_tokens: 0 },
        output_tokens: 27,
        service_tier: 'standard',
      }),
    ).toEqual({ input: 22030, output: 27, cacheRead: 20480, cacheWrite: 1536, reasoning: 0 });
  });

  it('treats null cache counts as 0 and reads thinking tokens as reasoning', () => {
    expect(
      messagesUsage({
        input_tokens: 10,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        output_tokens: 50,
        output_tokens_details: { thinking_tokens: 30 },
      }),
    ).toEqual({ input: 10, output: 50, cacheRead: 0, cacheWrite: 0, reasoning: 30 });
  });

  it.each([[null], ['x'], [{}], [{ input_tokens: 10 }], [{ input_tokens: '10', output_tokens: 5 }], [{ input_tokens: 10, output_tokens: -5 }]])(
    'gives no usage for %j',
    (usage) => {
      expect(messagesUsage(usage)).toBeUndefined();
    },
  );
});

describe('readUsageFields', () => {
  it('keeps only valid counts, so spreading a later one replaces field by field', () => {
    const start = readUsageFields({ input_tokens: 25, cache_read_input_tokens: 0, output_tokens: 1 });
    const delta = readUsageFields({ input_tokens: null, output_tokens: 19 });
    expect(delta).toEqual({ output: 19 });
    expect(messagesTokenUsage({ ...start, ...delta })).toEqual({ input: 25, output: 19, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });
});
