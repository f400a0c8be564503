import { setTimeout as sleep } from 'node:timers/promises';
import type { Terminal } from './command.js';

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
/** Erase from the cursor to the end of the screen. */
const ERASE_DOWN = '\x1b[J';
/** Cursor to the top left, screen erased. */
const CLEAR_SCREEN = '\x1b[H\x1b[2J';

/** Where and how often `watch` draws. */
export interface WatchOptions {
  /** Named in the line above each frame: `costctl status`. */
  title: string;
  intervalMs: number;
  out(text: string): void;
  /** Present when stdout is a terminal: frames are then redrawn in place; otherwise each follows the last. */
  terminal?: Terminal | undefined;
}

/**
 * Draws `frame()` every `intervalMs` until Ctrl-C (SIGINT), SIGTERM or the
 * reader of stdout going away (`| head`), then returns: on a terminal, each frame replaces the last in place, and the
 * last one stays on screen; elsewhere (a pipe, a log) frames follow one
 * another, a blank line apart.
 *
 * @example
 * await watch(async () => 'gate: open\n', { title: 'costctl status', intervalMs: 2000, out, terminal });
 */
export async function watch(frame: () => Promise<string>, { title, intervalMs, out, terminal }: WatchOptions): Promise<void> {
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  process.stdout.once('error', interrupt);
  let drawn = 0;
  if (terminal) out(HIDE_CURSOR);
  try {
    while (!stop.signal.aborted) {
      const text = `${title}: every ${intervalMs / 1000}s, ${new Date().toISOString().slice(11, 19)} UTC; Ctrl-C to stop\n\n${await frame()}`;
      if (terminal === undefined) out(drawn === 0 ? text : `\n${text}`);
      // A frame taller than the screen cannot be reached by moving the cursor up: start from a clear screen.
      else if (drawn === 0) out(text);
      else out(`${drawn < terminal.rows ? `\x1b[${drawn}F` : CLEAR_SCREEN}${ERASE_DOWN}${text}`);
      drawn = terminal === undefined ? 1 : screenLines(text, terminal.columns);
      await sleep(intervalMs, undefined, { signal: stop.signal }).catch(() => {});
    }
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    process.stdout.off('error', interrupt);
    if (terminal) out(SHOW_CURSOR);
  }
}

/** The rows `text` takes on a screen `columns` wide, long lines wrapping. */
function screenLines(text: string, columns: number): number {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(line.length / Math.max(1, columns))), 0);
}
