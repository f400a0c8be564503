// What the examples' run.mjs files share: local stand-ins for what an app
// talks to (a fake provider, Redis, an OpenTelemetry Collector), and running
// an example's app under `node --import @costctl/otel/register` the way a
// user would, with its output shown as it comes.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startFakeProvider } from '@costctl/testkit';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** This process's environment without costctl's and OTel's own variables (a shell's would change what the example shows), plus `env`. */
function exampleEnv(env) {
  const inherited = Object.entries(process.env).filter(([key]) => !/^(COSTCTL|OTEL)_/.test(key));
  return { ...Object.fromEntries(inherited), ...env };
}

/**
 * The testkit's fake provider: OpenAI's and Anthropic's real wire formats on
 * 127.0.0.1, answering every call with 24 output tokens.
 */
export async function startProvider() {
  const provider = await startFakeProvider({ latencyMs: 20, chunkDelayMs: 2 });
  say(`Fake provider (OpenAI and Anthropic wire formats) on ${provider.url}`);
  return provider;
}

/** A fresh state directory, so every run starts with an empty budget. */
export function freshStateDir() {
  return mkdtempSync(join(tmpdir(), 'costctl-example-'));
}

/**
 * Runs `node --import @costctl/otel/register <script>` in `folder` with `env`
 * added to this process's environment, until it exits. See `startUnderCostctl`.
 */
export async function runUnderCostctl(folder, script, env, options) {
  const app = await startUnderCostctl(folder, script, env, options);
  return { code: await app.exited, lines: app.lines };
}

/**
 * Starts `node --import @costctl/otel/register <script>` in `folder` with
 * `env` added to this process's environment (less any COSTCTL_ and OTEL_ variables). The app's stdout is shown as it
 * comes (after `prefix`) and kept in `lines`; costctl's JSON log lines on
 * stderr are shown in one line each.
 */
export async function startUnderCostctl(folder, script, env, { prefix = '  ', quiet = false } = {}) {
  if (!quiet) say(`\n$ node --import @costctl/otel/register ${script}`);
  const app = spawn(process.execPath, ['--import', '@costctl/otel/register', script], {
    cwd: join(repoRoot, 'examples', folder),
    // The app's own /metrics endpoint, on a port nothing else holds.
    env: exampleEnv({ OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  const stdout = createInterface({ input: app.stdout });
  const stderr = createInterface({ input: app.stderr });
  stdout.on('line', (line) => {
    lines.push(line);
    say(`${prefix}${line}`);
  });
  stderr.on('line', (line) => say(`${prefix}${describeLogLine(line)}`));
  // Settled once the process has exited and both of its streams are read to their end.
  const exited = Promise.all([
    new Promise((resolve) => app.once('exit', (code, signal) => resolve(code ?? signal))),
    new Promise((resolve) => stdout.once('close', resolve)),
    new Promise((resolve) => stderr.once('close', resolve)),
  ]).then(([code]) => code);
  return {
    lines,
    exited,
    running: () => app.exitCode === null && app.signalCode === null,
    /** Stops the app as a service manager would (SIGTERM), and waits for its exit. */
    async stop() {
      app.kill('SIGTERM');
      return exited;
    },
  };
}

/** One costctl log line (JSON on stderr) as a person reads it. */
function describeLogLine(line) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (entry.budgetLevel) return `costctl alert: ${entry.rule} is ${entry.budgetLevel} (spent $${round(entry.spent)} of $${entry.limit})`;
  // The app prints the blocked call's message itself: the log line says the same words.
  if (entry.code === 'COSTCTL_BUDGET_EXCEEDED') return `costctl ${entry.level}: blocked a call (rule ${entry.rule})`;
  return `costctl ${entry.level}: ${entry.msg}`;
}

/** Runs the costctl CLI in an example's folder with `env`, and prints the command and what it printed (unless `quiet`). */
export function costctl(args, env, folder, { quiet = false } = {}) {
  if (!quiet) say(`\n$ costctl ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [join(repoRoot, 'packages/cli/dist/main.js'), ...args], {
    cwd: join(repoRoot, 'examples', folder),
    env: exampleEnv(env),
    encoding: 'utf8',
  });
  if (!quiet) for (const line of result.stdout.trimEnd().split('\n')) say(`  ${line}`.trimEnd());
  if (result.status !== 0 && result.status !== 3) throw new Error(`costctl ${args.join(' ')} exited with ${result.status}:\n${result.stderr}`);
  return result.stdout;
}

/**
 * A real `redis-server` on a free loopback port, keeping nothing on disk. The
 * binary comes from PATH, or scripts/ensure-redis.sh installs Debian's package.
 */
export async function startRedis() {
  const binary = execFileSync('bash', [join(repoRoot, 'scripts/ensure-redis.sh')], { encoding: 'utf8' }).trim();
  const port = await freePort();
  const dir = freshStateDir();
  const server = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const exited = new Promise((resolve) => server.once('exit', resolve));
  await waitFor(
    () => accepts(port),
    `redis-server to listen on ${port}`,
    () => server.exitCode !== null,
  );
  say(`Redis on redis://127.0.0.1:${port}`);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      server.kill();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The OpenTelemetry Collector built by scripts/ensure-otelcol.sh (the first
 * time from tools/otelcol, minutes), running examples/collector/otel-collector.yaml
 * with its addresses moved to free loopback ports through the config's ${env:…}.
 */
export async function startCollector() {
  const binary = execFileSync('bash', [join(repoRoot, 'scripts/ensure-otelcol.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const [grpc, http, prometheus, telemetry] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const collector = spawn(binary, [`--config=${join(repoRoot, 'examples/collector/otel-collector.yaml')}`], {
    env: {
      PATH: process.env.PATH,
      OTELCOL_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpc}`,
      OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${http}`,
      OTELCOL_PROMETHEUS_ENDPOINT: `127.0.0.1:${prometheus}`,
      OTELCOL_TELEMETRY_PORT: String(telemetry),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  collector.stderr.setEncoding('utf8').on('data', (chunk) => (log = (log + chunk).slice(-8000)));
  const exited = new Promise((resolve) => collector.once('exit', resolve));
  const otlpUrl = `http://127.0.0.1:${http}`;
  const metricsUrl = `http://127.0.0.1:${prometheus}/metrics`;
  // An empty OTLP/JSON export is a valid push of nothing.
  const ready = async () =>
    (await fetch(`${otlpUrl}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
      (r) => r.ok,
      () => false,
    )) &&
    (await fetch(metricsUrl).then(
      (r) => r.ok,
      () => false,
    ));
  try {
    await waitFor(ready, `the Collector to take OTLP on ${otlpUrl}`, () => collector.exitCode !== null, 30_000);
  } catch (error) {
    collector.kill();
    throw new Error(`${error.message}\n${log}`);
  }
  say(`OpenTelemetry Collector: OTLP/HTTP on ${otlpUrl}, Prometheus exporter on ${metricsUrl}`);
  return {
    otlpUrl,
    metricsUrl,
    scrape: async () => (await fetch(metricsUrl)).text(),
    async stop() {
      collector.kill();
      await exited;
    },
  };
}

/** Prints one line of what the example shows. */
export function say(line) {
  console.log(line);
}

/** A dollar amount at the precision the examples' budgets need. */
export function round(usd) {
  return Number(usd.toPrecision(6));
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 100 ms until it holds; fails when `gone` says the process died, or after `millis`. */
export async function waitFor(check, what, gone = () => false, millis = 10_000) {
  for (let waited = 0; waited <= millis; waited += 100) {
    if (gone()) throw new Error(`gave up waiting for ${what}: the process exited`);
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`gave up waiting for ${what} after ${millis / 1000} s`);
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
