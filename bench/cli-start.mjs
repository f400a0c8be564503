// node bench/cli-start.mjs: how long `costctl` takes to start and answer,
// since health checks run it (`costctl status`, exit 3 while the gate is
// tripped). Each figure is a ratio to a bare `node -e 0` measured in this
// same run; the commands take turns, run after run, so drift on a shared
// machine falls on all of them alike. Needs a build (npm run build).
// CLI_START_RUNS=40 for more runs; COSTCTL_BIN=/path/to/dist/main.js to time
// another build of the CLI beside this one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.env.CLI_START_RUNS ?? 20);
const here = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const builds = [['', here], ...(process.env.COSTCTL_BIN ? [['other ', process.env.COSTCTL_BIN]] : [])];
const commands = [['--version'], ['--help'], ['status'], ['status', '--json'], ['gate', 'status'], ['report', '--json']];

// The store and ledger of this run, with one budget rule and one ledger day, not the repository's.
const cwd = mkdtempSync(join(os.tmpdir(), 'costctl-bench-cli-'));
const env = { PATH: process.env.PATH, COSTCTL_STATE_DIR: join(cwd, '.costctl'), COSTCTL_DAILY_LIMIT_USD: '5' };
spawnSync(process.execPath, [here, 'gate', 'status'], { cwd, env });

const cases = [
  { label: 'node -e 0', argv: ['-e', '0'] },
  ...builds.flatMap(([name, bin]) => commands.map((args) => ({ label: `${name}costctl ${args.join(' ')}`, argv: [bin, ...args], mine: name === '' }))),
].map((c) => ({ mine: true, ...c, times: [], exit: 0 }));

for (let run = 0; run < runs; run++) {
  for (const c of cases) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, c.argv, { cwd, env, stdio: 'ignore' });
    c.times.push(Number(process.hrtime.bigint() - start) / 1e6);
    c.exit = result.status;
    // A command of this build that fails fast would look fast: stop instead. Another build may lack a command (--version): its exit is shown.
    if (result.status !== 0 && c.mine) throw new Error(`${c.label} exited ${result.status}; build first (npm run build)`);
  }
}
rmSync(cwd, { recursive: true, force: true });

const median = (times) => [...times].sort((a, b) => a - b)[times.length >> 1];
const base = median(cases[0].times);
console.log(`costctl start-up, median of ${runs} runs, as a multiple of node -e 0 (${base.toFixed(0)} ms here):`);
for (const c of cases.slice(1)) {
  console.log(
    `  ${c.label.padEnd(34)} ${(median(c.times) / base).toFixed(1).padStart(5)}×  (${median(c.times).toFixed(0)} ms)${c.exit === 0 ? '' : `  exit ${c.exit}`}`,
  );
}
