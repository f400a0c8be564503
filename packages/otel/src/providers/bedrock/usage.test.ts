import { describe, expect, it } from 'vitest';
import { converseUsage, headerUsage, invocationMetricsUsage } from './usage.js';

describe('Bedrock usage', () => {
  it('adds the cache reads and writes back to Converse input, which excludes them', () => {
    expect(converseUsage({ inputTokens: 31, outputTokens: 18, totalTokens: 1073, cacheReadInputTokens: 0, cacheWriteInputTokens: 1024 })).toEqual({
      input: 1055,
      output: 18,
      cacheRead: 0,
      cacheWrite: 1024,
      reasoning: 0,
    });
  });

  it.each([[{ inputTokens: 3 }], [{ outputTokens: 3 }], [{ inputTokens: '3', outputTokens: 1 }], [{ inputTokens: -1, outputTokens: 1 }], [null], ['usage']])(
    'has no Converse usage without valid input and output counts: %j',
    (usage) => {
      expect(converseUsage(usage)).toBeUndefined();
    },
  );

  it('reads the invocation metrics of a response stream, cache counts included', () => {
    expect(
      invocationMetricsUsage({ inputTokenCount: 14, outputTokenCount: 6, invocationLatency: 612, firstByteLatency: 301, cacheReadInputTokenCount: 512 }),
    ).toEqual({
      input: 526,
      output: 6,
      cacheRead: 512,
      cacheWrite: 0,
      reasoning: 0,
    });
  });

  it("reads InvokeModel's token count headers", () => {
    const headers: Record<string, string> = {
      'x-amzn-bedrock-input-token-count': '17',
      'x-amzn-bedrock-output-token-count': '10',
      'x-amzn-bedrock-cache-write-input-token-count': '2048',
    };
    expect(headerUsage((name) => headers[name])).toEqual({ input: 2065, output: 10, cacheRead: 0, cacheWrite: 2048, reasoning: 0 });
  });

  it.each([['1e3'], [''], ['-4'], ['12.5'], ['0x10'], ['99999999999999999999']])('refuses the header count %j', (value) => {
    const headers: Record<string, string> = { 'x-amzn-bedrock-input-token-count': value, 'x-amzn-bedrock-output-token-count': '10' };
    expect(headerUsage((name) => headers[name])).toBeUndefined();
  });
});
