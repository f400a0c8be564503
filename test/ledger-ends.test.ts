// However an instrumented app ends, its calls are in the ledger and it ends
// as it would without costctl: the ledger is written off the call path, and
// what is still buffered is written at exit and on SIGTERM/SIGINT. A SIGKILL
// loses at most the lines of the last commit interval and leaves a ledger
// the reader reads.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLedger, type SkippedLine } from '@costctl/otel';
import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costctl, workdir } from './helpers/costctl.js';
import { repoRoot } from './helpers/run-app.js';

let provider: FakeProvider;
beforeAll(async () => {
  provider = await startFakeProvider();
});
afterAll(async () => {
  await provider.close();
});

interface Ended {
  /** The ids of the answers the app got, in order. */
  ids: string[];
  /** The signals the app's own handler saw. */
  signals: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stateDir: string;
}

/**
 * Runs test/apps/ledger-ends.mjs, with costctl or without, ending as `end`
 * says; `then` acts on the running app once it printed `{"done":true}` (or,
 * for `loop`, once `ready` holds).
 */
function run(
  end: string,
  costctl: boolean,
  then?: (app: { kill(signal: NodeJS.Signals): void; endInput(): void; lines: Record<string, unknown>[] }) => void,
): Promise<Ended> {
  const stateDir = mkdtempSync(join(tmpdir(), 'costctl-ledger-ends-'));
  const child = spawn(process.execPath, [...(costctl ? ['--import', '@costctl/otel/register'] : []), 'test/apps/ledger-ends.mjs'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      END: end,
      FAKE_PROVIDER_URL: provider.url,
      COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
      COSTCTL_STATE_DIR: stateDir,
      OTEL_METRICS_EXPORTER: 'none',
      // The bundled price data's age warning would be the one stderr line; this test is about how the process ends.
      COSTCTL_PRICE_DATA_MAX_AGE_DAYS: '0',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const app = { kill: (signal: NodeJS.Signals) => void child.kill(signal), endInput: () => void child.stdin.end(), lines };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (let newline: number; (newline = stdout.indexOf('\n')) !== -1; ) {
      const line = JSON.parse(stdout.slice(0, newline)) as Record<string, unknown>;
      stdout = stdout.slice(newline + 1);
      lines.push(line);
      if (line.done === true) then?.(app);
    }
  });
  return new Promise((resolve) =>
    child.once('exit', (code, signal) =>
      resolve({
        ids: lines.flatMap((line) => (typeof line.id === 'string' ? [line.id] : [])),
        signals: lines.flatMap((line) => (typeof line.signal === 'string' ? [line.signal] : [])),
        code,
        signal,
        stderr,
        stateDir,
      }),
    ),
  );
}

async function ledgerIds(stateDir: string, onSkipped?: (skipped: SkippedLine) => void): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of readLedger(stateDir, { onSkipped })) ids.push(entry.response_id ?? '');
  return ids;
}

/** The same app with and without costctl: both end the same way, and the one with costctl has every call in its ledger. */
async function endsAlike(end: string, then?: Parameters<typeof run>[2]) {
  const [bare, instrumented] = await Promise.all([run(end, false, then), run(end, true, then)]);
  expect({ code: instrumented.code, signal: instrumented.signal }).toEqual({ code: bare.code, signal: bare.signal });
  expect(instrumented.ids).toHaveLength(bare.ids.length);
  // In order, but for what the end wrote: it may land before the commit that was in flight.
  expect((await ledgerIds(instrumented.stateDir)).sort()).toEqual(instrumented.ids.toSorted());
  expect(instrumented.stderr).toBe('');
  return { bare, instrumented };
}

describe('an app ends, and its ledger has every call', () => {
  it('when it exits by itself, or with process.exit and its own code', async () => {
    const [natural, exited] = await Promise.all([endsAlike('natural'), endsAlike('exit:3')]);
    expect(natural.instrumented).toMatchObject({ code: 0, signal: null });
    expect(exited.instrumented).toMatchObject({ code: 3, signal: null });
    expect(natural.instrumented.ids).toHaveLength(20);
  });

  it('when it is sent SIGTERM or SIGINT and has no handler: it dies by that signal, as without costctl', async () => {
    const [term, int] = await Promise.all([endsAlike('wait', (app) => app.kill('SIGTERM')), endsAlike('wait', (app) => app.kill('SIGINT'))]);
    expect(term.instrumented).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(int.instrumented).toMatchObject({ code: null, signal: 'SIGINT' });
  });

  it("when it sends itself SIGTERM right after its last call, with that call's line still buffered", async () => {
    const { instrumented } = await endsAlike('self:SIGTERM');
    expect(instrumented).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('when its own handler decides what the signal means: exit with its own code, or carry on', async () => {
    let handled = 0;
    const [exits, carriesOn] = await Promise.all([
      endsAlike('handle:SIGTERM', (app) => app.kill('SIGTERM')),
      endsAlike('ignore:SIGINT', (app) => {
        app.kill('SIGINT');
        // Still running: its handler prints the signal, and it ends only when its input does.
        const seen = setInterval(() => {
          if (!app.lines.some((line) => line.signal === 'SIGINT')) return;
          clearInterval(seen);
          handled += 1;
          app.endInput();
        }, 10);
      }),
    ]);
    expect(exits.instrumented).toMatchObject({ code: 7, signal: null });
    expect(carriesOn.instrumented).toMatchObject({ code: 0, signal: null });
    expect(handled).toBe(2);
    // The app's handler ran once per signal sent: costctl raised none of its own.
    for (const { instrumented } of [exits, carriesOn]) expect(instrumented.signals).toHaveLength(1);
  });
});

describe('an app killed with SIGKILL', () => {
  it('loses at most the calls after the last commit, and leaves a ledger the reader and costctl report read', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'costctl-ledger-ends-'));
    const written = () =>
      readdirSync(stateDir)
        .filter((name) => name.startsWith('ledger-'))
        .map((name) => readFileSync(join(stateDir, name), 'utf8').split('\n').length - 1);
    // Several apps in a row on one ledger, each killed mid-loop, once a commit of its own is on disk.
    const rounds = 3;
    const printed: string[][] = [];
    for (let round = 0; round < rounds; round++) {
      const before = written().reduce((sum, lines) => sum + lines, 0);
      const killed = runLoop(stateDir, () => written().reduce((sum, lines) => sum + lines, 0) >= before + 20);
      printed.push((await killed).ids);
    }
    const skipped: SkippedLine[] = [];
    const inLedger = await ledgerIds(stateDir, (piece) => skipped.push(piece));
    const missing = printed.flat().filter((id) => !inLedger.includes(id));
    // Each app's lines are a prefix of its calls: only its last ones, not yet committed, are missing.
    for (const ids of printed) {
      const kept = ids.filter((id) => inLedger.includes(id));
      expect(kept).toEqual(ids.slice(0, kept.length));
      expect(kept.length).toBeGreaterThanOrEqual(20);
    }
    // A piece a kill cut short is the only thing skipped, and it is said.
    expect(skipped.every((piece) => piece.kind === 'cut' || piece.kind === 'partial')).toBe(true);
    const report = costctl(['report', '--json'], { cwd: stateDir, env: { COSTCTL_STATE_DIR: stateDir } });
    expect(report.code).toBe(0);
    const rows = JSON.parse(report.stdout) as { calls: number }[];
    expect(rows.reduce((sum, row) => sum + row.calls, 0)).toBe(inLedger.length);
    // One line per skipped piece, the first five by name.
    expect(report.stderr.split('\n').filter(Boolean)).toHaveLength(skipped.length > 5 ? 6 : skipped.length);
    console.log(
      `SIGKILL: ${rounds} apps killed, ${printed.flat().length} calls answered, ${inLedger.length} in the ledger, ${missing.length} lost (the last commit interval), ${skipped.length} cut pieces skipped`,
    );
  });
});

describe('costctl reading a ledger a kill left torn', () => {
  it('report and forecast count every whole line, and say on stderr which pieces they skipped', () => {
    const cwd = workdir();
    const stateDir = join(cwd, '.costctl');
    mkdirSync(stateDir);
    const day = new Date().toISOString().slice(0, 10);
    const line = (cost: number) =>
      JSON.stringify({
        time: new Date().toISOString(),
        provider: 'openai',
        model: 'gpt-4o-mini',
        operation: 'chat',
        outcome: 'ok',
        tokens: { input: 1, output: 1 },
        cost_usd: cost,
        labels: {},
      });
    // A process killed mid-write (a cut piece, then another process's line), and one killed at the very end.
    writeFileSync(join(stateDir, `ledger-${day}.jsonl`), `${line(1)}\n${line(2).slice(0, 40)}${line(4)}\n${line(8).slice(0, 50)}`);
    const report = costctl(['report', '--json'], { cwd });
    expect(report.code).toBe(0);
    expect((JSON.parse(report.stdout) as { calls: number; cost: number }[])[0]).toMatchObject({ calls: 2, cost: 5 });
    expect(report.stderr).toBe(
      `costctl: ledger-${day}.jsonl line 2 begins with a piece of a line a killed process cut short; the piece was skipped, the whole entries after it were kept\n` +
        `costctl: ledger-${day}.jsonl ends in a partial line (a process was killed mid-write, or is writing it now); it was skipped\n`,
    );
    const forecast = costctl(['forecast', '--json'], { cwd, env: { COSTCTL_TOTAL_LIMIT_USD: '100' } });
    expect(forecast.code).toBe(0);
    expect((JSON.parse(forecast.stdout) as { rules: { spent: number }[] }).rules[0]?.spent).toBe(5);
    expect(forecast.stderr).toBe(report.stderr);
  });

  it('names the first five skipped pieces and counts the rest in one line', () => {
    const cwd = workdir();
    const stateDir = join(cwd, '.costctl');
    mkdirSync(stateDir);
    writeFileSync(join(stateDir, 'ledger-2026-01-01.jsonl'), 'not an entry\n'.repeat(8));
    const report = costctl(['report'], { cwd });
    expect(report.code).toBe(0);
    expect(report.stderr.split('\n').filter(Boolean)).toEqual([
      ...[1, 2, 3, 4, 5].map((n) => `costctl: ledger-2026-01-01.jsonl line ${n} is not a ledger entry; it was skipped`),
      `costctl: 3 more pieces of the ledger in ${stateDir} were skipped, not being whole entries`,
    ]);
  });
});

/** Runs the app in `loop` mode on `stateDir` and kills it with SIGKILL once `ready` holds. */
function runLoop(stateDir: string, ready: () => boolean): Promise<Ended> {
  const child = spawn(process.execPath, ['--import', '@costctl/otel/register', 'test/apps/ledger-ends.mjs'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      END: 'loop',
      FAKE_PROVIDER_URL: provider.url,
      COSTCTL_ENDPOINTS: `openai=${provider.url}/openai`,
      COSTCTL_STATE_DIR: stateDir,
      OTEL_METRICS_EXPORTER: 'none',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const check = setInterval(() => {
    if (ready()) {
      clearInterval(check);
      child.kill('SIGKILL');
    }
  }, 5);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearInterval(check);
      const ids = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { id: string }).id);
      resolve({ ids, signals: [], code, signal, stderr, stateDir });
    }),
  );
}
