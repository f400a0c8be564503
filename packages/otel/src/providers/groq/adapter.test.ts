import { describe, expect, it } from 'vitest';
import { groqChunkUsage } from './adapter.js';

describe('groqChunkUsage', () => {
  const timings = { queue_time: 0.19, prompt_tokens: 20, prompt_time: 0.01, completion_tokens: 4, completion_time: 0.009, total_tokens: 24, total_time: 0.02 };

  it('reads x_groq.usage, where a stream without include_usage reports it', () => {
    expect(groqChunkUsage({ choices: [], x_groq: { id: 'req_1', usage: timings } })).toBe(timings);
  });

  it('prefers usage when both are there', () => {
    const usage = { ...timings, prompt_tokens: 21 };
    expect(groqChunkUsage({ choices: [], usage, x_groq: { id: 'req_1', usage: timings } })).toBe(usage);
  });

  it.each([[{ choices: [] }], [{ usage: null, x_groq: { id: 'req_1' } }], [{ x_groq: 'req_1' }]])('finds none in %j', (chunk) => {
    expect(groqChunkUsage(chunk)).toBeUndefined();
  });
});
