// An instrumented app that stays up while a real Prometheus scrapes it:
// `node --import @costctl/otel/register script`, its /metrics on a free port,
// driven by JSON lines on stdin and answering with JSON lines on stdout.
// (test/helpers/run-app.ts runs an app to its end and scrapes it once; this is
// for tests and scripts that need the app alive between scrapes.)
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './prometheus-server.mjs';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Starts `script` (relative to the repository) under costctl and resolves once
 * it printed its first JSON line (its "ready" line) and its /metrics answers
 * (when it has one: not when `OTEL_METRICS_EXPORTER` leaves out `prometheus`).
 *
 * @example
 * const app = await startLiveApp('test/apps/dashboard-traffic.mjs', { env: { FAKE_PROVIDER_URL: url } });
 * const reply = await app.ask(['openai-chat']);
 * await app.stop();
 *
 * @param {string} script
 * @param {{ env?: Record<string, string>, register?: boolean }} [options] `register: false` for an app that starts costctl itself
 */
export async function startLiveApp(script, { env = {}, register = true } = {}) {
  const port = await freePort();
  const stateDir = env.COSTCTL_STATE_DIR ?? mkdtempSync(join(tmpdir(), 'costctl-state-'));
  const child = spawn(process.execPath, [...(register ? ['--import', '@costctl/otel/register'] : []), script], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      COSTCTL_STATE_DIR: stateDir,
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-8000)));
  /** @type {Record<string, unknown>[]} */
  const queue = [];
  /** @type {((line: Record<string, unknown>) => void)[]} */
  const waiting = [];
  let buffer = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!line.startsWith('{')) continue;
      const parsed = JSON.parse(line);
      const next = waiting.shift();
      if (next) next(parsed);
      else queue.push(parsed);
    }
  });
  let exitCode = /** @type {number | null | undefined} */ (undefined);
  const exited = new Promise((resolve) => child.once('exit', (code) => ((exitCode = code), resolve(code))));

  /** The next JSON line the app prints; rejects if it exits or stays silent for `timeoutMillis`. */
  function nextLine(timeoutMillis = 30_000) {
    if (queue.length > 0) return Promise.resolve(/** @type {Record<string, unknown>} */ (queue.shift()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} printed nothing within ${timeoutMillis} ms:\n${stderr}`)), timeoutMillis);
      waiting.push((line) => (clearTimeout(timer), resolve(line)));
      void exited.then(() => (clearTimeout(timer), reject(new Error(`${script} exited with ${exitCode}:\n${stderr}`))));
    });
  }

  const ready = await nextLine();
  const scraped = (env.OTEL_METRICS_EXPORTER ?? 'prometheus').split(',').some((exporter) => exporter.trim() === 'prometheus');
  // The exporter's server starts listening asynchronously.
  for (let attempt = 0; scraped; attempt++) {
    const up = await fetch(`http://127.0.0.1:${port}/metrics`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    if (attempt === 100) throw new Error(`${script}: no /metrics on port ${port}:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    /** `127.0.0.1:PORT` of its /metrics, for a scrape config. */
    target: `127.0.0.1:${port}`,
    stateDir,
    /** The first line it printed. */
    ready,
    nextLine,
    /** Writes `message` as one JSON line and resolves with the line it answers. */
    ask(/** @type {unknown} */ message, timeoutMillis = 30_000) {
      child.stdin.write(`${JSON.stringify(message)}\n`);
      return nextLine(timeoutMillis);
    },
    stderr: () => stderr,
    /** Closes its stdin (it exits on that) and waits for it, killing it after 5 s. */
    async stop() {
      if (exitCode !== undefined) return exitCode;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof startLiveApp>>} LiveApp */
