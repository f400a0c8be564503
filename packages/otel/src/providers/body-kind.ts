/**
 * True when a response body is an SSE stream: by its content type when it has
 * one (an error answer to a stream request is JSON), else by what was asked.
 *
 * @example
 * isEventStream('text/event-stream; charset=utf-8', false) // true
 * isEventStream('application/json', true) // false
 */
export function isEventStream(contentType: string | undefined, streamRequested: boolean): boolean {
  if (contentType === undefined || contentType.trim() === '') return streamRequested;
  return contentType.toLowerCase().includes('text/event-stream');
}
