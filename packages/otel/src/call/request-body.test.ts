import { describe, expect, it } from 'vitest';
import { readRequestBody } from './request-body.js';

describe('readRequestBody', () => {
  it('parses a JSON string or bytes, and gives their length', () => {
    expect(readRequestBody('{"model":"gpt-4o-mini"}')).toEqual({ json: { model: 'gpt-4o-mini' }, length: 23 });
    expect(readRequestBody(new TextEncoder().encode('{"a":1}'))).toEqual({ json: { a: 1 }, length: 7 });
  });

  it('reads the text fields of a FormData and leaves its files unread', async () => {
    const form = new FormData();
    form.append('model', 'whisper-1');
    form.append('stream', 'true');
    form.append('file', new Blob([new Uint8Array(4096)], { type: 'audio/wav' }), 'clip.wav');
    expect(readRequestBody(form)).toEqual({ json: { model: 'whisper-1', stream: 'true' }, length: 0 });
    // Reading consumed nothing: the form still sends its file whole.
    const file = form.get('file') as Blob;
    expect((await file.arrayBuffer()).byteLength).toBe(4096);
    expect((await new Response(form).text()).includes('whisper-1')).toBe(true);
  });

  it('does not read a stream, which consuming would change', () => {
    const stream = new ReadableStream({ start: (controller) => controller.enqueue(new Uint8Array([1])) });
    expect(readRequestBody(stream)).toEqual({ json: undefined, length: 0 });
    expect(stream.locked).toBe(false);
  });
});
