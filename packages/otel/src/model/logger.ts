/** The levels a logger writes at; `silent` writes nothing. */
export const logLevels = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** A pino-style logger: an app may pass its own. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * Structured JSON lines on stderr at or above `level`. Callers never pass
 * prompts, completions or keys in `fields`.
 *
 * @example
 * const log = jsonLogger('warn'); log.warn('clock skew', { skewSeconds: 93 });
 */
export function jsonLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const at = (name: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (rank[name] < rank[level]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: name, name: 'costctl', msg: message, ...fields })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The logger every part of costctl writes to; `setLogger` replaces it at start-up. */
export let logger: Logger = jsonLogger('info');

export function setLogger(next: Logger): void {
  logger = next;
}
