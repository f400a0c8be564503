import { describe, expect, it } from 'vitest';
import { guardReader } from './guarded-reader.js';
import { noResponseFacts } from './response-facts.js';
import type { ResponseReader } from './types.js';

describe('guardReader', () => {
  it('swallows a throwing push and answers "nothing learned" for a throwing finish', () => {
    const broken: ResponseReader = {
      push() {
        throw new Error('push bug');
      },
      finish() {
        throw new Error('finish bug');
      },
    };
    const reader = guardReader(broken);
    expect(() => reader.push(new Uint8Array([1]))).not.toThrow();
    expect(reader.finish()).toEqual(noResponseFacts());
  });

  it('passes bytes and facts through', () => {
    const seen: number[] = [];
    const facts = { ...noResponseFacts(), model: 'm', outputTokenEstimate: 3 };
    const reader = guardReader({ push: (chunk) => seen.push(chunk.length), finish: () => facts });
    reader.push(new Uint8Array(2));
    expect(reader.finish()).toBe(facts);
    expect(seen).toEqual([2]);
  });
});
