// The traffic the dashboards are tested and pictured with: a fake provider,
// test/apps/dashboard-traffic.mjs under costctl with two budget rules, and a
// real Prometheus scraping it (and evaluating costctl's rules) every second.
// Used by test/dashboard-queries.test.ts and scripts/render-dashboard.mjs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider } from '@costctl/testkit';
import { repoRoot, startLiveApp } from './live-app.mjs';
import { startPrometheus } from './prometheus-server.mjs';

/** Every kind of call the app makes: priced (four models, three operations), unpriced, and the capped model. */
export const EVERY_CALL = ['openai-chat', 'openai-stream', 'openai-embed', 'anthropic-cached', 'anthropic-stream', 'unpriced', 'capped'];

export const SERVICE_NAME = 'support-bot';

/**
 * @typedef {object} ScenarioOptions
 * @property {string} binDir where `prometheus` is
 * @property {number} watchLimitUsd the alert-only `daily_spend` rule's limit
 * @property {number} [contextChars] characters of padding in every prompt (default 0)
 * @property {number} [cappedLimitUsd] the blocking `gpt4o_daily` rule's limit (default 0.0004: one small gpt-4o call fits)
 * @property {number} [intervalSeconds] Prometheus' scrape interval (default 1)
 */

/**
 * Starts the fake provider, Prometheus (with grafana/prometheus/costctl-rules.yml)
 * and the app, and waits for the app's first scrape. The rules:
 * `daily_spend` (alert only, every call) and `gpt4o_daily` (blocks gpt-4o past
 * `cappedLimitUsd`; by default one small gpt-4o call fits, the next is blocked).
 *
 * @param {ScenarioOptions} options
 */
export async function startSpendScenario({ binDir, watchLimitUsd, contextChars = 0, cappedLimitUsd = 0.0004, intervalSeconds = 1 }) {
  const provider = await startFakeProvider();
  const dir = mkdtempSync(join(tmpdir(), 'costctl-scenario-'));
  const config = join(dir, 'costctl.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      rules: [
        { name: 'daily_spend', limit: watchLimitUsd, window: 'day', action: 'alert' },
        { name: 'gpt4o_daily', limit: cappedLimitUsd, window: 'day', scope: { model: 'gpt-4o' }, action: 'block' },
      ],
      // A prepaid balance far above what the scenario spends: the credits panel has data, nothing is blocked by it.
      credits: { openai: { balance: 25, since: '2026-11-01' }, anthropic: { balance: 25, since: '2026-11-01' } },
    }),
  );
  const env = {
    FAKE_PROVIDER_URL: provider.url,
    COSTCTL_ENDPOINTS: `openai=${provider.url}/openai,anthropic=${provider.url}/anthropic`,
    COSTCTL_CONFIG: config,
    COSTCTL_STATE_DIR: join(dir, 'state'),
    COSTCTL_LOG_LEVEL: 'warn',
    CONTEXT_CHARS: String(contextChars),
    OTEL_SERVICE_NAME: SERVICE_NAME,
  };
  /** @type {import('./live-app.mjs').LiveApp | undefined} */
  let app;
  /** @type {import('./prometheus-server.mjs').PrometheusServer | undefined} */
  let prometheus;
  const stop = async () => {
    await app?.stop();
    await prometheus?.stop();
    await provider.close();
  };
  try {
    app = await startLiveApp('test/apps/dashboard-traffic.mjs', { env });
    prometheus = await startPrometheus({ binDir, targets: [app.target], ruleFiles: [join(repoRoot, 'grafana/prometheus/costctl-rules.yml')], intervalSeconds });
    // Prometheus takes its first samples before any call: every counter that
    // appears later is seen to grow from its first sample on.
    await prometheus.waitForScrape(Date.now());
  } catch (error) {
    await stop();
    throw error;
  }
  const started = Date.now();
  const live = /** @type {import('./live-app.mjs').LiveApp} */ (app);
  const server = /** @type {import('./prometheus-server.mjs').PrometheusServer} */ (prometheus);

  /** Runs `args` with the built CLI against the app's store; returns its output, throwing on a non-zero exit. */
  const costctl = (/** @type {string[]} */ args) => {
    const run = spawnSync(process.execPath, [join(repoRoot, 'packages/cli/dist/main.js'), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`costctl ${args.join(' ')} exited ${run.status}: ${run.stdout}${run.stderr}`);
    return run.stdout;
  };

  return {
    prometheus: server,
    app: live,
    /** Date.now() once Prometheus had scraped the app before its first call. */
    started,
    /** Makes `calls` (names from EVERY_CALL), waits until Prometheus has scraped the result; returns each call's outcome. */
    async round(/** @type {string[]} */ calls = EVERY_CALL) {
      const { outcomes } = /** @type {{ outcomes: string[] }} */ (await live.ask(calls));
      await server.waitForScrape(Date.now());
      return outcomes;
    },
    /** An operator trips (or resets) the gate from another process, as `costctl gate trip|reset`. */
    async gate(/** @type {'trip' | 'reset'} */ action, /** @type {string} */ reason) {
      costctl(['gate', action, '--reason', reason, '--actor', 'oncall']);
      // The app sees the change within one 50 ms poll of the file store; the gauge at its next scrape.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await server.waitForScrape(Date.now());
    },
    stop,
  };
}

/** @typedef {Awaited<ReturnType<typeof startSpendScenario>>} SpendScenario */
