import { isMainThread } from 'node:worker_threads';
import { logger } from './model/logger.js';

/** What must be written before the process ends: the ledger's buffered lines, what leased calls spent. */
export interface EndOfProcess {
  /** Writes what is held now: synchronously where it can (a file), else it starts the write `settled` waits for. */
  flushSync(): void;
  /** Resolves once the writes already started have landed (or failed). */
  settled(): Promise<void>;
  /** The process ends now: a last synchronous write, and a word on what could not be written. */
  end(): void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** How long a signal waits for the writes in flight: a hung disk or store must not keep the process from dying. */
const SETTLE_MILLIS = 1_000;

/** What must be done before the process ends, in the order it was added. */
const targets = new Set<EndOfProcess>();
/** Removes the hooks; set while any target is. */
let unhook: (() => void) | undefined;

/**
 * The one place costctl hooks the end of the process, for every target
 * (the ledger's buffered lines, what leased calls spent): one listener per
 * event, however many targets, so the app's own listener is told apart. At
 * `exit` (a natural end or `process.exit()`), each target's `end()` runs
 * synchronously. On SIGTERM and SIGINT, each `flushSync()` runs first; then,
 * if the app listens for that signal itself, the app decides what it means
 * (costctl neither exits nor keeps it alive); if it does not, costctl waits
 * for the writes in flight (at most 1 s, all together), calls each `end()`,
 * and raises the signal again with Node's default action, so the process
 * dies by it as it would without costctl (same signal, same status to its
 * parent). Returns the function that removes this target.
 *
 * @example
 * const stop = onProcessEnd(ledger); // …at shutdown: stop();
 */
export function onProcessEnd(target: EndOfProcess): () => void {
  targets.add(target);
  unhook ??= hook();
  return () => {
    if (!targets.delete(target) || targets.size > 0) return;
    unhook?.();
    unhook = undefined;
  };
}

function hook(): () => void {
  const atExit = () => {
    for (const target of targets) guarded(() => target.end());
  };
  process.once('exit', atExit);
  // Signals reach the main thread only; a worker's `exit` is the worker's own.
  const listening = isMainThread ? SIGNALS : [];
  const onSignal = (signal: NodeJS.Signals) => {
    for (const target of targets) guarded(() => target.flushSync());
    if (process.listenerCount(signal) > 1) return;
    void (async () => {
      let timer: NodeJS.Timeout | undefined;
      const settled = Promise.all([...targets].map((target) => target.settled().catch(() => {})));
      await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, SETTLE_MILLIS)))]);
      clearTimeout(timer);
      // Another listener may have come while the writes landed: it is then the app's to decide.
      if (process.listenerCount(signal) > 1) return;
      for (const target of targets) guarded(() => target.end());
      stop();
      unhook = undefined;
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
