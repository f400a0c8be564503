import { describe, expect, it } from 'vitest';
import { cohereChatUsage, cohereEmbedUsage, cohereRerankUsage } from './usage.js';

describe('cohereChatUsage', () => {
  it('takes the billed units, not the tokens the prompt template added', () => {
    expect(cohereChatUsage({ billed_units: { input_tokens: 682, output_tokens: 143 }, tokens: { input_tokens: 1380, output_tokens: 434 } })).toEqual({
      input: 682,
      output: 143,
      cacheRead: 0,
      cacheWrite: 0,
      reasoning: 0,
    });
  });

  it('falls back to tokens when nothing is billed, and treats a missing side as zero', () => {
    expect(cohereChatUsage({ tokens: { input_tokens: 71, output_tokens: 26 } })).toMatchObject({ input: 71, output: 26 });
    expect(cohereChatUsage({ billed_units: { input_tokens: 9 } })).toMatchObject({ input: 9, output: 0 });
  });

  it.each([null, undefined, 'usage', [], {}, { billed_units: { input_tokens: '5', output_tokens: -1 } }])('gives nothing for %j', (value) => {
    expect(cohereChatUsage(value)).toBeUndefined();
  });
});

describe('cohereEmbedUsage', () => {
  it('reads text tokens', () => {
    expect(cohereEmbedUsage({ api_version: { version: '2' }, billed_units: { input_tokens: 2 } })).toEqual({
      usage: { input: 2, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    });
  });

  it('counts image tokens as input, and their image part', () => {
    expect(cohereEmbedUsage({ billed_units: { input_tokens: 3, image_tokens: 1000 } })).toEqual({
      usage: { input: 1003, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      mediaTokens: { inputImage: 1000 },
    });
  });

  it('counts images billed as images in a unit of their own', () => {
    expect(cohereEmbedUsage({ billed_units: { images: 2 } })).toEqual({
      usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      units: { images: 2 },
    });
  });

  it.each([undefined, null, {}, { billed_units: {} }, { billed_units: { input_tokens: 'x' } }])('gives nothing for %j', (meta) => {
    expect(cohereEmbedUsage(meta)).toBeUndefined();
  });
});

describe('cohereRerankUsage', () => {
  it('reads the search units, and no tokens', () => {
    expect(cohereRerankUsage({ api_version: { version: '2' }, billed_units: { search_units: 2 } })).toEqual({
      usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      units: { search_units: 2 },
    });
  });

  it.each([undefined, null, {}, { billed_units: {} }, { billed_units: { search_units: -1 } }, { billed_units: { input_tokens: 3 } }])(
    'reads %j as nothing billed',
    (meta) => {
      expect(cohereRerankUsage(meta)).toBeUndefined();
    },
  );
});
