import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LedgerEntry } from './entry.js';
import { ledgerFiles } from './files.js';

export interface LedgerQuery {
  /** Only entries at or after this instant. */
  since?: Date;
  /** Only entries before this instant. */
  until?: Date;
}

/**
 * Every ledger entry of `dir` in file order, streamed: a ledger of many
 * days is never read into memory whole. Lines that are not whole JSON
 * entries (a file being written, a write cut by a kill) are skipped.
 *
 * @example
 * for await (const entry of readLedger('.costctl', { since: new Date('2026-11-01') })) total += entry.cost_usd ?? 0;
 */
export async function* readLedger(dir: string, query: LedgerQuery = {}): AsyncGenerator<LedgerEntry> {
  const since = query.since?.toISOString();
  const until = query.until?.toISOString();
  // Files are named by local day, which can start a day before or after the UTC one.
  const firstDay = query.since ? new Date(query.since.getTime() - 86_400_000).toISOString().slice(0, 10) : undefined;
  const lastDay = query.until ? new Date(query.until.getTime() + 86_400_000).toISOString().slice(0, 10) : undefined;
  for (const { name, day } of ledgerFiles(dir)) {
    if ((firstDay && day < firstDay) || (lastDay && day > lastDay)) continue;
    const lines = createInterface({ input: createReadStream(join(dir, name), { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) {
      for (const entry of ledgerEntriesOf(line)) {
        if ((since && entry.time < since) || (until && entry.time >= until)) continue;
        yield entry;
      }
    }
  }
}

/** How every entry begins; inside an entry's strings a quote is escaped, so this marks an entry's start only. */
const ENTRY_START = '{"time":"';

/**
 * The entries of one ledger line: the line itself, or — where a process
 * was killed in the middle of its write (Linux may cut a write at a page
 * boundary for SIGKILL) and the next write went on after the cut — the
 * whole entries that follow the cut-off piece, which is skipped.
 *
 * @example
 * ledgerEntriesOf('{"time":"2026-11-24T10:0{"time":"2026-11-24T10:01:00.000Z","provider":"openai",…}') // [the second entry]
 */
export function ledgerEntriesOf(line: string): LedgerEntry[] {
  const whole = parse(line);
  if (whole !== undefined) return [whole];
  const entries: LedgerEntry[] = [];
  for (let start = line.indexOf(ENTRY_START, 1); start !== -1; start = line.indexOf(ENTRY_START, start + 1)) {
    const end = line.indexOf(ENTRY_START, start + 1);
    const entry = parse(end === -1 ? line.slice(start) : line.slice(start, end));
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}

function parse(line: string): LedgerEntry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as LedgerEntry;
    return typeof entry.time === 'string' && typeof entry.provider === 'string' ? entry : undefined;
  } catch {
    return undefined;
  }
}
