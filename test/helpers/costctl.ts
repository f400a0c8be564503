import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './run-app.js';

/** The `costctl` command as npm installs it: the package's bin, which checks the Node.js version first. */
export const costctlBin = join(repoRoot, 'packages/cli/dist/costctl.js');

/** A fresh working directory; its state directory is `.costctl` inside it. */
export const workdir = () => mkdtempSync(join(tmpdir(), 'costctl-cli-'));

/** Runs `costctl …` as a user would: a real process, in `cwd`, with only the given environment. */
export function costctl(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  const result = spawnSync(process.execPath, [costctlBin, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: join(options.cwd, '.costctl'), ...options.env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
