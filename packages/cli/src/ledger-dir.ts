import { readdirSync } from 'node:fs';
import { CostctlStoreError, readLedger, type LedgerEntry } from '@costctl/otel';

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

/** The ledger's entries; a file that cannot be read stops the command, naming the directory, instead of leaving calls out. */
export async function* ledgerOf(dir: string, query: Parameters<typeof readLedger>[1]): AsyncGenerator<LedgerEntry> {
  try {
    yield* readLedger(dir, query);
  } catch (error) {
    throw new CostctlStoreError(`could not read the ledger in ${dir} (${(error as Error).message}); check its ledger-*.jsonl files, then retry`, dir, { cause: error });
  }
}
