import { logger } from '../model/logger.js';

const reported = new Set<string>();

/**
 * Reports a bug inside costctl without letting it reach the app: logged
 * once per distinct message, so a bug on a hot path cannot flood the logs.
 */
export function reportInternalError(error: unknown): void {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (reported.has(message) || reported.size > 100) return;
  reported.add(message);
  logger.error('costctl internal error; the call goes on unobserved', {
    error: message,
    stack: error instanceof Error ? error.stack : undefined,
  });
}
