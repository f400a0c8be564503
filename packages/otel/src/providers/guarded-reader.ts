import { noResponseFacts } from './response-facts.js';
import type { ResponseFacts, ResponseReader } from './types.js';

/**
 * Wraps a reader so that a bug in it can never reach the app's request: a
 * throwing push is ignored, a throwing finish answers "nothing learned".
 *
 * @example
 * const reader = guardReader(new ChatStreamReader());
 */
export function guardReader(reader: ResponseReader): ResponseReader {
  return {
    push(chunk: Uint8Array): void {
      try {
        reader.push(chunk);
      } catch {
        // Telemetry fails open: the app's bytes flow on whatever happens here.
      }
    },
    finish(): ResponseFacts {
      try {
        return reader.finish();
      } catch {
        return noResponseFacts();
      }
    },
  };
}
