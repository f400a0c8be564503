import { describe, expect, it } from 'vitest';
import { isEventStream } from './body-kind.js';

describe('isEventStream', () => {
  it.each([
    ['text/event-stream', false, true],
    ['text/event-stream; charset=utf-8', false, true],
    ['Text/Event-Stream', false, true],
    ['application/json', true, false],
    ['application/json; charset=utf-8', false, false],
    [undefined, true, true],
    [undefined, false, false],
    ['', true, true],
  ])('%j (stream requested: %j) is a stream: %j', (contentType, requested, expected) => {
    expect(isEventStream(contentType, requested)).toBe(expected);
  });
});
