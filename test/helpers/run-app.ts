import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePrometheus, type Sample } from './prometheus.js';
import { freePort } from './ports.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface AppRun {
  /** Every JSON line the app printed on stdout. */
  lines: Record<string, unknown>[];
  stderr: string;
  /** The app's /metrics, scraped once it said it was done (empty when costctl was not loaded). */
  samples: Sample[];
  metricsText: string;
  /** Why the scrape failed, e.g. ECONNREFUSED when no metrics endpoint was open. */
  scrapeError: string | undefined;
  exitCode: number | null;
  /** The app's COSTCTL_STATE_DIR: its ledger and state. */
  stateDir: string;
}

export interface AppOptions {
  /** Load costctl with `--import @costctl/otel/register` (default true). */
  register?: boolean;
  /** Scrape the app's /metrics once it is done (default: when `register`; set it when nodeArgs load costctl). */
  scrape?: boolean;
  env?: Record<string, string>;
  /** Extra node flags before the script. */
  nodeArgs?: string[];
  /** Keep the app up after it is done until this holds (checked every 50 ms, for at most 10 s). */
  until?: () => boolean;
  /**
   * Scrape again until the samples satisfy this (every 50 ms, for at most 5 s): a call the app
   * has given up on (an SDK that stopped reading a stream) is recorded when its connection ends.
   */
  settled?: (samples: Sample[]) => boolean;
}

/**
 * Runs `script` as a real process — `node --import @costctl/otel/register
 * script` — waits for it to print `{"done":true}`, scrapes its Prometheus
 * endpoint, then stops it.
 */
export async function runApp(script: string, options: AppOptions = {}): Promise<AppRun> {
  const port = await freePort();
  // Each run keeps its ledger and state apart, unless the test shares a directory on purpose.
  const stateDir = options.env?.COSTCTL_STATE_DIR ?? mkdtempSync(join(tmpdir(), 'costctl-state-'));
  const register = options.register ?? true;
  const args = [...(register ? ['--import', '@costctl/otel/register'] : []), ...(options.nodeArgs ?? []), script];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      COSTCTL_STATE_DIR: stateDir,
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const done = new Promise<boolean>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      let newline: number;
      while ((newline = stdout.indexOf('\n')) !== -1) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.done === true) resolve(true);
        else lines.push(parsed);
      }
    });
    void exited.then(() => resolve(false));
  });

  const finished = await done;
  for (let waited = 0; finished && options.until && !options.until() && waited < 10_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let metricsText = '';
  let scrapeError: string | undefined;
  if (finished && (options.scrape ?? register)) {
    // The exporter's server starts listening asynchronously: a scrape right at start-up may come early.
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        metricsText = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        scrapeError = undefined;
        if (options.settled === undefined || options.settled(parsePrometheus(metricsText))) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } catch (error) {
        scrapeError = String((error as { cause?: { code?: string } }).cause?.code ?? error);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
  child.stdin.end();
  const exitCode = await exited;
  if (!finished && exitCode !== 0 && exitCode !== 2) {
    throw new Error(`app ${script} exited with ${exitCode} before it was done:\n${stderr}`);
  }
  return { lines, stderr, samples: metricsText ? parsePrometheus(metricsText) : [], metricsText, scrapeError, exitCode, stateDir };
}

/**
 * Runs `script` under `--import @costctl/otel/register` and waits for it to
 * exit by itself, as it would without costctl: one that costctl holds open
 * never exits, and the calling test's own timeout fails it.
 */
export async function runToExit(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', '@costctl/otel/register', script], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout };
}
