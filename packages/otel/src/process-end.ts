import { isMainThread } from 'node:worker_threads';
import { logger } from './model/logger.js';

/** What must be written before the process ends (the ledger's buffered lines). */
export interface EndOfProcess {
  /** Writes what is buffered now, synchronously. */
  flushSync(): void;
  /** Resolves once the writes already started have landed (or failed). */
  settled(): Promise<void>;
  /** The process ends now: a last synchronous write, and a word on what could not be written. */
  end(): void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** How long a signal waits for a write in flight: a hung disk must not keep the process from dying. */
const SETTLE_MILLIS = 1_000;

/**
 * The one place costctl hooks the end of the process. At `exit` (a natural
 * end or `process.exit()`), `end()` runs synchronously. On SIGTERM and SIGINT,
 * `flushSync()` runs first; then, if the app listens for that signal itself,
 * the app decides what it means (costctl neither exits nor keeps it alive);
 * if it does not, costctl waits for a write in flight (at most 1 s), calls
 * `end()`, and raises the signal again with Node's default action, so the
 * process dies by it as it would without costctl (same signal, same status
 * to its parent). Returns the function that removes the hooks.
 *
 * @example
 * const stop = onProcessEnd(ledger); // …at shutdown: stop();
 */
export function onProcessEnd(target: EndOfProcess): () => void {
  const atExit = () => guarded(() => target.end());
  process.once('exit', atExit);
  // Signals reach the main thread only; a worker's `exit` is the worker's own.
  const listening = isMainThread ? SIGNALS : [];
  const onSignal = (signal: NodeJS.Signals) => {
    guarded(() => target.flushSync());
    if (process.listenerCount(signal) > 1) return;
    void (async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([target.settled().catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, SETTLE_MILLIS)))]);
      clearTimeout(timer);
      // Another listener may have come while the write landed: it is then the app's to decide.
      if (process.listenerCount(signal) > 1) return;
      guarded(() => target.end());
      stop();
      process.kill(process.pid, signal);
    })();
  };
  for (const signal of listening) process.on(signal, onSignal);
  const stop = () => {
    process.off('exit', atExit);
    for (const signal of listening) process.off(signal, onSignal);
  };
  return stop;
}

/** A throw while the process ends must not change how it ends. */
function guarded(work: () => void): void {
  try {
    work();
  } catch (error) {
    logger.error('costctl could not write what it held as the process ended', { error: String(error) });
  }
}
