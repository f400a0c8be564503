import { readdirSync } from 'node:fs';
import { CostctlStoreError, readLedger, type LedgerEntry, type LedgerQuery, type SkippedLine } from '@costctl/otel';

/**
 * A ledger directory that is missing or cannot be listed reads as "no calls",
 * which is how a wrong COSTCTL_STATE_DIR (or the wrong working directory)
 * would hide every call: say so instead.
 */
export function checkLedgerDir(dir: string): void {
  try {
    readdirSync(dir);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const why = missing ? 'it does not exist: no instrumented app has written a ledger there' : `it cannot be listed (${(error as Error).message})`;
    throw new CostctlStoreError(
      `could not read the ledger in ${dir}: ${why}; run costctl where the apps run, or set COSTCTL_STATE_DIR to their state directory`,
      dir,
      { cause: error },
    );
  }
}

/** How many skipped pieces are named one by one; past it, one line counts the rest. */
const NAMED_SKIPS = 5;

/**
 * The ledger's entries; a file that cannot be read stops the command, naming
 * the directory, instead of leaving calls out. Each piece the reader skips (a
 * partial last line, a write a kill cut short) is said on stderr.
 */
export async function* ledgerOf(dir: string, query: Omit<LedgerQuery, 'onSkipped'>): AsyncGenerator<LedgerEntry> {
  let skipped = 0;
  const onSkipped = ({ message }: SkippedLine) => {
    if (++skipped <= NAMED_SKIPS) process.stderr.write(`costctl: ${message}\n`);
  };
  try {
    yield* readLedger(dir, { ...query, onSkipped });
  } catch (error) {
    throw new CostctlStoreError(`could not read the ledger in ${dir} (${(error as Error).message}); check its ledger-*.jsonl files, then retry`, dir, {
      cause: error,
    });
  } finally {
    if (skipped > NAMED_SKIPS)
      process.stderr.write(`costctl: ${skipped - NAMED_SKIPS} more pieces of the ledger in ${dir} were skipped, not being whole entries\n`);
  }
}
