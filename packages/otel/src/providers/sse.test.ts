import { describe, expect, it } from 'vitest';
import { SseDecoder } from './sse.js';

type Event = [event: string, data: string];

const utf8 = new TextEncoder();

function decode(chunks: readonly (string | Uint8Array)[], maxLine?: number): { events: Event[]; dropped: number } {
  const events: Event[] = [];
  const decoder = new SseDecoder((event, data) => events.push([event, data]), maxLine);
  for (const chunk of chunks) decoder.push(typeof chunk === 'string' ? utf8.encode(chunk) : chunk);
  decoder.end();
  return { events, dropped: decoder.dropped };
}

describe('SseDecoder', () => {
  it('dispatches named and unnamed events', () => {
    expect(decode(['event: ping\ndata: {}\n\ndata: hello\n\n']).events).toEqual([
      ['ping', '{}'],
      ['message', 'hello'],
    ]);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('accepts %s line ends', (_name, eol) => {
    const text = `event: a${eol}data: 1${eol}${eol}data: 2${eol}${eol}`;
    expect(decode([text]).events).toEqual([
      ['a', '1'],
      ['message', '2'],
    ]);
  });

  it('treats a CR ending one chunk and an LF starting the next as one line end', () => {
    expect(decode(['data: 1\r', '\ndata: 2\r', '\n\r', '\n']).events).toEqual([['message', '1\n2']]);
  });

  it('remembers a trailing CR across chunks that decode to nothing', () => {
    const halfEuro = new Uint8Array([0xe2]);
    expect(decode(['data: 1\r', '', '\n', 'data: 2\n\n']).events).toEqual([['message', '1\n2']]);
    expect(decode(['data: 1\r', halfEuro, new Uint8Array([0x82, 0xac]), '\n\n']).events).toEqual([['message', '1']]);
  });

  it('joins multi-line data with LF', () => {
    expect(decode(['data: {"a":\ndata: 1}\n\n']).events).toEqual([['message', '{"a":\n1}']]);
  });

  it('strips exactly one space after the colon, and accepts none', () => {
    expect(decode(['data:x\n\ndata:  y\n\n']).events).toEqual([
      ['message', 'x'],
      ['message', ' y'],
    ]);
  });

  it('ignores comments such as heartbeats', () => {
    expect(decode([': ping\n\n:keep-alive\ndata: 1\n\n']).events).toEqual([['message', '1']]);
  });

  it('does not dispatch an event without data, and resets its type', () => {
    expect(decode(['event: lonely\n\ndata: 1\n\n']).events).toEqual([['message', '1']]);
  });

  it('dispatches an empty data field as an empty string', () => {
    expect(decode(['data\n\ndata:\n\n']).events).toEqual([
      ['message', ''],
      ['message', ''],
    ]);
  });

  it('ignores id, retry and unknown fields', () => {
    expect(decode(['id: 7\nretry: 100\nfoo: bar\ndata: 1\n\n']).events).toEqual([['message', '1']]);
  });

  it('discards an event the stream ended in the middle of', () => {
    expect(decode(['data: 1\n\ndata: 2\n']).events).toEqual([['message', '1']]);
    expect(decode(['data: 1\n\ndata: 2']).events).toEqual([['message', '1']]);
  });

  it('decodes UTF-8 split inside a character', () => {
    const bytes = utf8.encode('data: 😊你好\n\n');
    for (let cut = 1; cut < bytes.length; cut += 1) {
      expect(decode([bytes.slice(0, cut), bytes.slice(cut)]).events).toEqual([['message', '😊你好']]);
    }
  });

  it('decodes one byte at a time', () => {
    const bytes = utf8.encode('event: x\r\ndata: é😊\r\n\r\n');
    const chunks = Array.from(bytes, (byte) => new Uint8Array([byte]));
    expect(decode(chunks).events).toEqual([['x', 'é😊']]);
  });

  it('replaces invalid UTF-8 instead of throwing', () => {
    expect(decode([new Uint8Array([0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0xfe, 0x0a, 0x0a])]).events).toEqual([['message', '\uFFFD\uFFFD']]);
  });

  it('strips a leading byte order mark', () => {
    expect(decode([new Uint8Array([0xef, 0xbb, 0xbf]), 'data: 1\n\n']).events).toEqual([['message', '1']]);
  });

  it('drops and counts a line longer than the cap, with its event', () => {
    const long = 'x'.repeat(100);
    const result = decode([`data: 1\n\ndata: ${long}\n\ndata: 2\n\n`], 50);
    expect(result.events).toEqual([
      ['message', '1'],
      ['message', '2'],
    ]);
    expect(result.dropped).toBe(1);
  });

  it('drops a long line arriving in small chunks without buffering it', () => {
    const chunks = ['data: 1\n\ndata: ', ...Array.from({ length: 40 }, () => 'x'.repeat(10)), '\n\ndata: 2\n\n'];
    const result = decode(chunks, 50);
    expect(result.events).toEqual([
      ['message', '1'],
      ['message', '2'],
    ]);
    expect(result.dropped).toBe(1);
  });

  it('drops an event whose data lines together pass the cap', () => {
    const line = `data: ${'y'.repeat(30)}\n`;
    const result = decode([line, line, '\n', 'data: ok\n\n'], 50);
    expect(result.events).toEqual([['message', 'ok']]);
    expect(result.dropped).toBe(1);
  });

  it('keeps dispatching after a listener throws', () => {
    const seen: string[] = [];
    const decoder = new SseDecoder((_event, data) => {
      seen.push(data);
      throw new Error('listener bug');
    });
    expect(() => decoder.push(utf8.encode('data: 1\n\ndata: 2\n\n'))).not.toThrow();
    expect(seen).toEqual(['1', '2']);
  });

  it('ignores bytes pushed after end, and a second end', () => {
    const events: string[] = [];
    const decoder = new SseDecoder((_event, data) => events.push(data));
    decoder.push(utf8.encode('data: 1\n\n'));
    decoder.end();
    decoder.push(utf8.encode('data: 2\n\n'));
    decoder.end();
    expect(events).toEqual(['1']);
  });

  it('never throws on a value that is not bytes', () => {
    const decoder = new SseDecoder(() => undefined);
    expect(() => decoder.push('data: 1' as unknown as Uint8Array)).not.toThrow();
    expect(() => decoder.push(null as unknown as Uint8Array)).not.toThrow();
  });
});
