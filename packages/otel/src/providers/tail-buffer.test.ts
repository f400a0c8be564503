import { describe, expect, it } from 'vitest';
import { ChatStreamReader } from './openai/chat-stream.js';
import { TailBuffer } from './tail-buffer.js';

const encode = (text: string) => new TextEncoder().encode(text);

function chatStream(deltas: number, withUsage: boolean): string {
  const chunk = (delta: string) =>
    `data: {"id":"chatcmpl-big","object":"chat.completion.chunk","created":1763900000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_1","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":null}]${withUsage ? ',"usage":null' : ''}}\n\n`;
  let text = chunk('{"role":"assistant","content":""}');
  for (let i = 0; i < deltas; i++) text += chunk(`{"content":" word${i % 10}"}`);
  if (withUsage) {
    text += `data: {"id":"chatcmpl-big","object":"chat.completion.chunk","created":1763900000,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":${deltas},"total_tokens":${12 + deltas}}}\n\n`;
    text += 'data: [DONE]\n\n';
  }
  return text;
}

function read(bytes: Uint8Array, pieces: number[]) {
  const reader = new ChatStreamReader();
  let at = 0;
  for (const size of pieces) {
    reader.push(bytes.subarray(at, at + size));
    at += size;
  }
  reader.push(bytes.subarray(at));
  return reader.finish();
}

describe('TailBuffer', () => {
  it('keeps the last bytes in order, whatever the chunk sizes', () => {
    const tail = new TailBuffer(8);
    for (const piece of ['ab', 'cdefg', 'hijklmnopq', 'r']) tail.push(encode(piece));
    expect(new TextDecoder().decode(tail.bytes())).toBe('klmnopqr');
    expect(tail.total).toBe(18);
    expect(tail.truncated).toBe(true);
  });

  it('drops the cut event at the start of a truncated tail', () => {
    const tail = new TailBuffer(16);
    tail.push(encode('data: a-long-event\n\ndata: b\n\n'));
    expect(new TextDecoder().decode(tail.wholeEvents())).toBe('data: b\n\n');
  });

  it('hands a released buffer to the next reader, which never reads the bytes left in it', () => {
    const first = new TailBuffer(8);
    first.push(encode('abcdefghij'));
    expect(new TextDecoder().decode(first.bytes())).toBe('cdefghij');
    first.release();
    first.push(encode('zz'));
    const next = new TailBuffer(8);
    next.push(encode('xy'));
    expect(new TextDecoder().decode(next.bytes())).toBe('xy');
    next.push(encode('1234567'));
    expect(new TextDecoder().decode(next.bytes())).toBe('y1234567');
  });
});

describe('a chat stream far longer than the kept tail', () => {
  const full = encode(chatStream(5000, true));
  const cut = encode(chatStream(5000, false));

  it('finds the usage at the end, with model and id from the first event', () => {
    expect(full.byteLength).toBeGreaterThan(500_000);
    expect(read(full, [])).toMatchObject({
      model: 'gpt-4o-mini-2024-07-18',
      responseId: 'chatcmpl-big',
      usage: { input: 12, output: 5000 },
      usageComplete: true,
    });
  });

  it('estimates a stream without usage at about one token per event', () => {
    const facts = read(cut, []);
    expect(facts.usage).toBeUndefined();
    expect(facts.outputTokenEstimate).toBeGreaterThan(4900);
    expect(facts.outputTokenEstimate).toBeLessThan(5100);
  });

  it('gives the same facts however the bytes are split', () => {
    const whole = read(cut, []);
    let seed = 11;
    for (let run = 0; run < 20; run++) {
      const pieces: number[] = [];
      for (let total = 0; total < cut.byteLength; ) {
        seed = (seed * 48271) % 2147483647;
        const size = 1 + (seed % 70_000);
        pieces.push(size);
        total += size;
      }
      expect(read(cut, pieces)).toEqual(whole);
      expect(read(full, pieces)).toEqual(read(full, []));
    }
  });
});
