import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './run-app.js';

/** A running test/apps/looping.mjs: it calls a paid API in a loop and says each time what it gets changes. */
export interface Looper {
  child: ChildProcess;
  states: { state: string; at: number }[];
}

/**
 * Starts `node --import @costctl/otel/register test/apps/looping.mjs`
 * against `providerUrl` (the fake provider), with `env` on top.
 *
 * @example
 * const looper = startLooper(provider.url, { COSTCTL_STATE_DIR: dir });
 * await until(() => looper.states.at(-1)?.state === 'ok', 'a call');
 */
export function startLooper(providerUrl: string, env: Record<string, string>): Looper {
  const child = spawn(process.execPath, ['--import', '@costctl/otel/register', 'test/apps/looping.mjs'], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      FAKE_PROVIDER_URL: providerUrl,
      COSTCTL_ENDPOINTS: `openai=${providerUrl}/openai`,
      OTEL_METRICS_EXPORTER: 'none',
      ...env,
    },
  });
  const looper: Looper = { child, states: [] };
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    for (let newline: number; (newline = buffered.indexOf('\n')) !== -1; ) {
      looper.states.push(JSON.parse(buffered.slice(0, newline)) as { state: string; at: number });
      buffered = buffered.slice(newline + 1);
    }
  });
  return looper;
}

/** Ends a looper (closing its stdin) and waits for it to exit. */
export async function stopLooper(looper: Looper): Promise<void> {
  looper.child.stdin!.end();
  if (looper.child.exitCode === null && looper.child.signalCode === null) await new Promise((resolve) => looper.child.once('exit', resolve));
}

/** Waits until `condition` holds, checking every 10 ms, for at most 15 s. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 15_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs the `costctl` CLI as an operator would, with only the given environment. */
export function costctl(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [join(repoRoot, 'packages/cli/dist/main.js'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
}
