import { readdirSync } from 'node:fs';

const pattern = /^ledger-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.jsonl$/;

/** The file of a local day's ledger, `part` counting the continuations past the size limit. */
export function ledgerFileName(day: string, part: number): string {
  return part === 0 ? `ledger-${day}.jsonl` : `ledger-${day}.${part}.jsonl`;
}

/** The ledger files of `dir`, oldest first, with the local day each one holds. */
export function ledgerFiles(dir: string): { name: string; day: string }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, match: pattern.exec(name) }))
    .filter((file): file is { name: string; match: RegExpExecArray } => file.match !== null)
    .map(({ name, match }) => ({ name, day: match[1]!, part: Number(match[2] ?? 0) }))
    .sort((a, b) => (a.day === b.day ? a.part - b.part : a.day < b.day ? -1 : 1))
    .map(({ name, day }) => ({ name, day }));
}
