// A real OpenTelemetry Collector for the end-to-end alerting tests: the
// binary scripts/ensure-otelcol.sh builds from tools/otelcol (and caches),
// running a config file of the repository, its addresses moved to free
// loopback ports through the config's ${env:…} references.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';
import { repoRoot } from './run-app.js';

/**
 * The Collector binary: built from tools/otelcol the first time (minutes),
 * then taken from the cache. Throws when it cannot be built, so a test
 * that needs it fails instead of skipping.
 */
export function ensureOtelcol(): string {
  return execFileSync('bash', [join(repoRoot, 'scripts/ensure-otelcol.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * Starts the Collector on `config` (relative to the repository) and resolves
 * once its OTLP/HTTP receiver takes a push and its Prometheus exporter answers.
 *
 * @example
 * const collector = await startCollector(ensureOtelcol(), 'examples/collector/otel-collector.yaml');
 * // the app: OTEL_EXPORTER_OTLP_ENDPOINT=collector.otlpHttpUrl; Prometheus: targets [collector.prometheusTarget]
 */
export async function startCollector(bin: string, config: string) {
  const [grpc, http, prometheus, telemetry] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child = spawn(bin, [`--config=${join(repoRoot, config)}`], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      OTELCOL_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpc}`,
      OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${http}`,
      OTELCOL_PROMETHEUS_ENDPOINT: `127.0.0.1:${prometheus}`,
      OTELCOL_TELEMETRY_PORT: String(telemetry),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-8000)));
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', (code) => ((exited = true), resolve(code))));
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await exit;
  };

  const otlpHttpUrl = `http://127.0.0.1:${http}`;
  const prometheusUrl = `http://127.0.0.1:${prometheus}/metrics`;
  // An empty OTLP/JSON export is a valid push of nothing.
  const takesPush = () =>
    fetch(`${otlpHttpUrl}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
      (response) => response.ok,
      () => false,
    );
  const serves = () =>
    fetch(prometheusUrl).then(
      (response) => response.ok,
      () => false,
    );
  for (let waited = 0; ; waited += 100) {
    if (exited) throw new Error(`the Collector exited at start-up:\n${log}`);
    if ((await takesPush()) && (await serves())) break;
    if (waited > 30_000) {
      await stop();
      throw new Error(`the Collector did not take OTLP on ${otlpHttpUrl} and serve ${prometheusUrl} within 30 s:\n${log}`);
    }
    await sleep(100);
  }

  return {
    /** For the app's OTEL_EXPORTER_OTLP_ENDPOINT (OTLP/HTTP). */
    otlpHttpUrl,
    /** `127.0.0.1:PORT` of the Prometheus exporter, for a scrape config. */
    prometheusTarget: `127.0.0.1:${prometheus}`,
    /** What the Prometheus exporter serves now, in the classic text format. */
    scrape: async () => (await fetch(prometheusUrl)).text(),
    log: () => log,
    stop,
  };
}
