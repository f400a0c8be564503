// The child processes of a bench run, each started with this same Node.js
// (process.execPath): the fake server, and the workers.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const benchDir = fileURLToPath(new URL('.', import.meta.url));

/** Nothing inherited but PATH and HOME, so no NODE_OPTIONS or OTEL_* of the caller leaks in. */
function childEnv(extra) {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...extra };
}

/** A child that speaks JSON lines on stdout and takes commands on stdin. */
class LineChild {
  #child;
  #messages = [];
  #waiting = [];
  #exit;
  stderr = '';

  constructor(name, args, env) {
    this.name = name;
    this.#child = spawn(process.execPath, args, { cwd: repoRoot, env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stderr.setEncoding('utf8').on('data', (text) => (this.stderr += text));
    this.#exit = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve(code ?? signal)));
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        message = new Error(`${name} printed ${JSON.stringify(line)}, not a JSON line`);
      }
      const waiter = this.#waiting.shift();
      if (waiter) waiter(message);
      else this.#messages.push(message);
    });
    void this.#exit.then((code) => {
      for (const waiter of this.#waiting.splice(0)) waiter(new Error(`${name} exited with ${code}:\n${this.stderr}`));
    });
  }

  /** The next JSON line, or a throw if the child printed something else or exited. */
  async next() {
    const message = this.#messages.shift() ?? (await new Promise((resolve) => this.#waiting.push(resolve)));
    if (message instanceof Error) throw message;
    return message;
  }

  send(line) {
    this.#child.stdin.write(`${line}\n`);
  }

  /** Closes stdin (the child's cue to exit) and waits; throws on a non-zero exit. */
  async close() {
    this.#child.stdin.end();
    const code = await this.#exit;
    if (code !== 0) throw new Error(`${this.name} exited with ${code}:\n${this.stderr}`);
  }

  kill() {
    this.#child.kill();
  }
}

/** Starts bench/server.mjs; answers its port and body sizes, and a stop(). */
export async function startServer(env) {
  const server = new LineChild('bench/server.mjs', [`${benchDir}server.mjs`], env);
  const info = await server.next();
  return { ...info, stop: () => server.close() };
}

/**
 * A worker process (bench/workers/<worker>), warmed up and waiting for
 * slices. `nodeArgs` go before the script: `--import …`, `--cpu-prof`…
 */
export class Worker {
  #child;

  static async start(worker, { nodeArgs = [], env }) {
    const instance = new Worker(new LineChild(worker, [...nodeArgs, `${benchDir}workers/${worker}`], env));
    const ready = await instance.#child.next();
    if (ready.ready !== true) throw new Error(`${worker} did not say it was ready: ${JSON.stringify(ready)}`);
    return instance;
  }

  constructor(child) {
    this.#child = child;
  }

  get stderr() {
    return this.#child.stderr;
  }

  /** Runs calls for `ms` and answers the slice's figures. */
  async slice(ms) {
    this.#child.send(`run ${ms}`);
    return (await this.#child.next()).slice;
  }

  /** Every call the worker made and its fetch's identity; the worker stays up until close(). */
  async end() {
    this.#child.send('end');
    return (await this.#child.next()).end;
  }

  close() {
    return this.#child.close();
  }

  kill() {
    this.#child.kill();
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * costctl's default exporter on a free port, never scraped while calls are timed: every call is recorded into
 * the metrics SDK as in production, and no export work falls in a measured slice.
 */
export async function prometheusEnv() {
  return { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) };
}
