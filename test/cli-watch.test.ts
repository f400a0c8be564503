import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { costctl, costctlBin, workdir } from './helpers/costctl.js';
import { repoRoot } from './helpers/run-app.js';

/** Waits until `done()` holds, looking again every 50 ms; the test's own timeout bounds the wait. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await sleep(50);
}

describe('costctl status --watch', () => {
  it('redraws in place on a terminal as the store changes, and stops on Ctrl-C with exit 0, the last frame left on screen', async () => {
    const tmux = execFileSync('bash', [join(repoRoot, 'scripts/ensure-tmux.sh')], { encoding: 'utf8' }).trim();
    const cwd = workdir();
    const exitFile = join(cwd, 'exit-code');
    // The command runs in a terminal tmux draws; the script then keeps the pane open to read what it left.
    const script = join(cwd, 'watch.sh');
    writeFileSync(
      script,
      `cd ${JSON.stringify(cwd)}\n` +
        `env -i PATH=${JSON.stringify(process.env.PATH ?? '')} COSTCTL_STATE_DIR=${JSON.stringify(join(cwd, '.costctl'))} ` +
        `${JSON.stringify(process.execPath)} ${JSON.stringify(costctlBin)} status --watch --interval 0.2\n` +
        `echo $? > ${JSON.stringify(exitFile)}\nexec sleep 600\n`,
    );
    const server = ['-L', `costctl-watch-${process.pid}`, '-f', '/dev/null'];
    execFileSync(tmux, [...server, 'new-session', '-d', '-x', '110', '-y', '30', 'bash', script]);
    const screen = () => execFileSync(tmux, [...server, 'capture-pane', '-p'], { encoding: 'utf8' });
    try {
      await until(() => screen().includes('gate: open'));
      expect(costctl(['gate', 'trip', '--reason', 'watched', '--actor', 'alice'], { cwd }).code).toBe(0);
      await until(() => screen().includes('gate: TRIPPED'));
      expect(costctl(['gate', 'reset', '--reason', 'seen', '--actor', 'alice'], { cwd }).code).toBe(0);
      await until(() => screen().includes('gate: open') && !screen().includes('TRIPPED'));
      // Three states seen, one frame on screen: each redraw replaced the one before.
      const shown = screen();
      expect(shown.match(/^costctl status: every 0\.2s, \d\d:\d\d:\d\d UTC; Ctrl-C to stop$/gm)).toHaveLength(1);
      expect(shown.match(/^gate: /gm)).toHaveLength(1);
      expect(shown).toMatch(/^store: file, time zone UTC$/m);

      execFileSync(tmux, [...server, 'send-keys', 'C-c']);
      await until(() => existsSync(exitFile) && readFileSync(exitFile, 'utf8').endsWith('\n'));
      expect(readFileSync(exitFile, 'utf8')).toBe('0\n');
      expect(screen()).toMatch(/^gate: open$/m);
    } finally {
      execFileSync(tmux, [...server, 'kill-server']);
    }
  });

  it('writes frame after frame, without terminal codes, when stdout is not a terminal; SIGINT ends it with exit 0', async () => {
    const cwd = workdir();
    const child = spawn(process.execPath, [costctlBin, 'status', '--watch', '--interval', '0.1'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: join(cwd, '.costctl'), COSTCTL_DAILY_LIMIT_USD: '5' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await until(() => (stdout.match(/^costctl status: /gm) ?? []).length >= 2);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what a terminal escape sequence starts with
    expect(stdout).not.toMatch(/\x1b/);
    const frames = stdout.split(/\n(?=costctl status: )/);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const frame of frames)
      expect(frame).toMatch(
        /^costctl status: every 0\.1s, .*\n\ngate: open\nstore: file, time zone UTC\n\nrule +window +spent +limit +used +level +action\n-+ .*\ndaily_usd +day +\$0 +\$5\.00 +0% +ok +block\n$/,
      );
  });

  it('stops, exit 0, when the reader of its output goes away (costctl status --watch | head -3)', async () => {
    const cwd = workdir();
    const child = spawn(process.execPath, [costctlBin, 'status', '--watch', '--interval', '0.1'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: join(cwd, '.costctl') },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // The first frame read, the reader leaves: every later redraw meets a closed pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    expect(stderr).toBe('');
  });

  it('refuses --interval without --watch, a bad interval, and --json with --watch; exit 2', () => {
    const cwd = workdir();
    expect(costctl(['status', '--interval', '5'], { cwd })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^costctl: --interval goes with --watch/) });
    expect(costctl(['status', '--watch', '--interval', 'often'], { cwd })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^costctl: --interval "often": expected seconds from 0\.1 to 3600/),
    });
    expect(costctl(['status', '--watch', '--json'], { cwd })).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot be used with/) });
  });
});
