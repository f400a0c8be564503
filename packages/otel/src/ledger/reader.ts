import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { LedgerEntry } from './entry.js';
import { ledgerFiles } from './files.js';

export interface LedgerQuery {
  /** Only entries at or after this instant. */
  since?: Date;
  /** Only entries before this instant. */
  until?: Date;
  /** Told of each piece of a file that is not a whole entry and was skipped, so a reader can say so. */
  onSkipped?: (skipped: SkippedLine) => void;
}

/** A piece of a ledger file the reader skipped. */
export interface SkippedLine {
  /** The file's name in the ledger directory, e.g. `ledger-2026-12-07.jsonl`. */
  file: string;
  /** Its line number, from 1. */
  line: number;
  /**
   * `partial`: the file ends in a line with no newline that is not a whole
   * entry (a process was killed in the middle of its write, or is writing it
   * now); `cut`: a line begins with the piece of a write a kill cut short, and
   * the whole entries after it on that line were kept; `invalid`: a line
   * that is no ledger entry at all.
   */
  kind: 'partial' | 'cut' | 'invalid';
  /** One sentence for an operator, naming the file. */
  message: string;
}

/**
 * Every ledger entry of `dir` in file order, streamed: a ledger of many
 * days is never read into memory whole. Lines that are not whole JSON
 * entries (a file being written, a write cut by a kill) are skipped, and
 * each is told to `onSkipped`.
 *
 * @example
 * for await (const entry of readLedger('.costctl', { since: new Date('2026-11-01'), onSkipped: (s) => console.error(s.message) })) total += entry.cost_usd ?? 0;
 */
export async function* readLedger(dir: string, query: LedgerQuery = {}): AsyncGenerator<LedgerEntry> {
  const since = query.since?.toISOString();
  const until = query.until?.toISOString();
  // Files are named by local day, which can start a day before or after the UTC one.
  const firstDay = query.since ? new Date(query.since.getTime() - 86_400_000).toISOString().slice(0, 10) : undefined;
  const lastDay = query.until ? new Date(query.until.getTime() + 86_400_000).toISOString().slice(0, 10) : undefined;
  for (const { name, day } of ledgerFiles(dir)) {
    if ((firstDay && day < firstDay) || (lastDay && day > lastDay)) continue;
    let number = 0;
    for await (const { text, ended } of linesOf(join(dir, name))) {
      number += 1;
      if (text === '') continue;
      const { entries, whole } = entriesOf(text);
      if (!whole && query.onSkipped) {
        const kind = entries.length > 0 ? 'cut' : ended ? 'invalid' : 'partial';
        query.onSkipped({ file: name, line: number, kind, message: skippedMessage(name, number, kind) });
      }
      for (const entry of entries) {
        if ((since && entry.time < since) || (until && entry.time >= until)) continue;
        yield entry;
      }
    }
  }
}

function skippedMessage(file: string, line: number, kind: SkippedLine['kind']): string {
  switch (kind) {
    case 'partial':
      return `${file} ends in a partial line (a process was killed mid-write, or is writing it now); it was skipped`;
    case 'cut':
      return `${file} line ${line} begins with a piece of a line a killed process cut short; the piece was skipped, the whole entries after it were kept`;
    case 'invalid':
      return `${file} line ${line} is not a ledger entry; it was skipped`;
  }
}

/** The lines of a file, streamed; `ended` is false for a last line with no newline after it. */
async function* linesOf(path: string): AsyncGenerator<{ text: string; ended: boolean }> {
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8' }) as AsyncIterable<string>) {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end !== -1; start = end + 1, end = chunk.indexOf('\n', start)) {
      yield { text: rest + chunk.slice(start, end), ended: true };
      rest = '';
    }
    rest += chunk.slice(start);
  }
  if (rest !== '') yield { text: rest, ended: false };
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
  return entriesOf(line).entries;
}

/** The entries of one line, and whether the line was one whole entry (nothing skipped). */
function entriesOf(line: string): { entries: LedgerEntry[]; whole: boolean } {
  const whole = parse(line);
  if (whole !== undefined) return { entries: [whole], whole: true };
  const entries: LedgerEntry[] = [];
  for (let start = line.indexOf(ENTRY_START, 1); start !== -1; start = line.indexOf(ENTRY_START, start + 1)) {
    const end = line.indexOf(ENTRY_START, start + 1);
    const entry = parse(end === -1 ? line.slice(start) : line.slice(start, end));
    if (entry !== undefined) entries.push(entry);
  }
  return { entries, whole: false };
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
