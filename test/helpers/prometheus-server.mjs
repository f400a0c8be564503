// A real Prometheus server, for the end-to-end tests and
// scripts/render-dashboard.mjs: the `prometheus` binary that
// scripts/ensure-prometheus.sh finds or installs, on a free port, with a
// throw-away config and data directory, read through its HTTP API.
//
// Plain JavaScript (with JSDoc types) so that a script run by node can use it
// as well as the vitest tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * @typedef {object} PrometheusOptions
 * @property {string} binDir where `prometheus` is (ensurePrometheus())
 * @property {string[]} targets `host:port` of the /metrics endpoints to scrape, as job `costctl`
 * @property {string[]} [ruleFiles] absolute paths of rule files to load
 * @property {number} [intervalSeconds] scrape interval, and timeout (default 1)
 * @property {number} [evaluationIntervalSeconds] rule evaluation interval (default 1)
 * @property {string[]} [alertmanagers] `host:port` of the Alertmanagers to send firing alerts to
 * @property {Record<string, unknown>} [job] more settings of the scrape job (`honor_labels`, `metric_relabel_configs`, …)
 */

/**
 * @typedef {{ metric: Record<string, string>, value: [number, string] }} VectorSample
 * @typedef {{ metric: Record<string, string>, values: [number, string][] }} MatrixSeries
 * @typedef {{ labels: Record<string, string>, annotations: Record<string, string>, state: string, activeAt: string, value: string }} Alert
 */

/**
 * Starts Prometheus and resolves once it answers /-/ready. Its config is
 * `targets` scraped every `intervalSeconds` and `ruleFiles` evaluated every
 * `evaluationIntervalSeconds` (groups with their own `interval` keep it);
 * firing alerts go to `alertmanagers`, when given.
 *
 * @example
 * const prometheus = await startPrometheus({ binDir: ensurePrometheus(), targets: ['127.0.0.1:9464'] });
 * await prometheus.waitForScrape(Date.now());
 * const [sample] = await prometheus.query('sum(costctl_requests_total)');
 * await prometheus.stop();
 *
 * @param {PrometheusOptions} options
 */
export async function startPrometheus({ binDir, targets, ruleFiles = [], intervalSeconds = 1, evaluationIntervalSeconds = 1, alertmanagers = [], job = {} }) {
  const dir = mkdtempSync(join(tmpdir(), 'costctl-prometheus-'));
  const interval = `${intervalSeconds}s`;
  // JSON is YAML, and needs no YAML writer.
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: `${evaluationIntervalSeconds}s` },
    rule_files: ruleFiles,
    scrape_configs: [{ ...job, job_name: 'costctl', static_configs: [{ targets }] }],
    ...(alertmanagers.length > 0 ? { alerting: { alertmanagers: [{ static_configs: [{ targets: alertmanagers }] }] } } : {}),
  };
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    join(binDir, 'prometheus'),
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (log = (log + chunk).slice(-4000)));
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', (code) => ((exited = true), resolve(code))));

  /** GET `path` with `params` in the query string; the answer's data, or a throw with Prometheus' error. @param {string} path @param {Record<string, string | number>} [params] */
  async function api(path, params = {}) {
    const query = new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)]));
    const response = await fetch(`${url}${path}?${query}`);
    const text = await response.text();
    const body = text.startsWith('{') ? JSON.parse(text) : { status: 'error', errorType: `HTTP ${response.status}`, error: text };
    if (body.status !== 'success') throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`);
    return body.data;
  }

  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await exit;
    rmSync(dir, { recursive: true, force: true });
  };

  for (let waited = 0; ; waited += 100) {
    if (exited) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`prometheus exited at start-up:\n${log}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (waited > 30_000) {
      await stop();
      throw new Error(`prometheus did not get ready on ${url} within 30 s:\n${log}`);
    }
    await sleep(100);
  }

  return {
    url,
    /** Evaluates `expr` at `time` (seconds; default now): the instant vector, or a one-element list for a scalar. */
    async query(/** @type {string} */ expr, /** @type {number | undefined} */ time = undefined) {
      const data = await api('/api/v1/query', time === undefined ? { query: expr } : { query: expr, time });
      return /** @type {VectorSample[]} */ (data.resultType === 'vector' ? data.result : [{ metric: {}, value: data.result }]);
    },
    /** Evaluates `expr` from `start` to `end` (seconds) every `step` seconds: one series per label set. */
    async queryRange(/** @type {string} */ expr, /** @type {number} */ start, /** @type {number} */ end, /** @type {number} */ step) {
      return /** @type {MatrixSeries[]} */ ((await api('/api/v1/query_range', { query: expr, start, end, step })).result);
    },
    /** The values of `label` on the series `match` selects between `start` and `end` (seconds). */
    async labelValues(/** @type {string} */ label, /** @type {string} */ match, /** @type {number} */ start, /** @type {number} */ end) {
      return /** @type {string[]} */ (await api(`/api/v1/label/${encodeURIComponent(label)}/values`, { 'match[]': match, start, end }));
    },
    /** Every pending and firing alert. */
    async alerts() {
      return /** @type {Alert[]} */ ((await api('/api/v1/alerts')).alerts);
    },
    /**
     * Resolves once every target has been scraped successfully after
     * `afterMillis` (a Date.now() value) and the scrape is queryable: then what
     * the apps did before it is in the TSDB. (The targets API reports a scrape
     * before its samples are committed; its `up` sample is committed with them.)
     */
    async waitForScrape(/** @type {number} */ afterMillis, timeoutMillis = 20_000) {
      const deadline = Date.now() + timeoutMillis;
      let seen = [];
      while (Date.now() < deadline) {
        const [up, at] = await Promise.all([this.query('up'), this.query('timestamp(up)')]);
        const scrapedAt = new Map(at.map((sample) => [sample.metric.instance, Number(sample.value[1]) * 1000]));
        seen = up.map((sample) => ({ instance: sample.metric.instance, up: sample.value[1], at: scrapedAt.get(sample.metric.instance) }));
        if (seen.length === targets.length && seen.every((target) => target.up === '1' && (target.at ?? 0) > afterMillis)) return;
        await sleep(100);
      }
      throw new Error(
        `no successful scrape of every target within ${timeoutMillis} ms after ${new Date(afterMillis).toISOString()}: ${JSON.stringify(seen)}\n${log}`,
      );
    },
    /** Resolves once the rule group `group` has been evaluated after `afterMillis` (a Date.now() value). */
    async waitForEvaluation(/** @type {string} */ group, /** @type {number} */ afterMillis, timeoutMillis = 15_000) {
      const deadline = Date.now() + timeoutMillis;
      while (Date.now() < deadline) {
        const groups = (await api('/api/v1/rules')).groups;
        const found = groups.find((candidate) => candidate.name === group);
        if (found === undefined) throw new Error(`no rule group ${group}; loaded: ${groups.map((candidate) => candidate.name).join(', ')}`);
        if (Date.parse(found.lastEvaluation) > afterMillis) return;
        await sleep(100);
      }
      throw new Error(`rule group ${group} not evaluated within ${timeoutMillis} ms after ${new Date(afterMillis).toISOString()}\n${log}`);
    },
    /** Polls the alerts until one named `name` is in `state`; returns them all. Throws with what it saw after `timeoutMillis`. */
    async waitForAlert(/** @type {string} */ name, /** @type {'pending' | 'firing'} */ state, timeoutMillis = 15_000) {
      const deadline = Date.now() + timeoutMillis;
      let seen = [];
      while (Date.now() < deadline) {
        seen = (await this.alerts()).filter((alert) => alert.labels.alertname === name);
        if (seen.some((alert) => alert.state === state)) return seen;
        await sleep(200);
      }
      throw new Error(`alert ${name} not ${state} within ${timeoutMillis} ms; it was ${JSON.stringify(seen)}\n${log}`);
    },
    /** Recent warnings and errors Prometheus logged. */
    log: () => log,
    stop,
  };
}

/** @typedef {Awaited<ReturnType<typeof startPrometheus>>} PrometheusServer */
