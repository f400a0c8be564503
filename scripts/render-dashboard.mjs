// Renders the overview dashboard with real data to a PNG for the README:
//
//   npm run render:dashboard [-- --out file.png] [--html file.html] [--seconds 90]
//
// 1. runs a demo-like app under costctl (test/helpers/spend-scenario.mjs: a
//    fake OpenAI/Anthropic, two budget rules) for about --seconds, with a
//    runaway phase, an operator tripping the gate and resetting it, while a
//    real Prometheus (Debian's, from scripts/ensure-prometheus.sh) scrapes it;
// 2. runs every panel query of grafana/dashboards/costctl-overview.json as
//    Grafana would send it (grafana/panel-queries.mjs), over the run;
// 3. draws the panels from the dashboard JSON (grafana/render/page.mjs) as a
//    static page and screenshots it with headless Chromium (Debian's, from
//    scripts/ensure-chromium.sh) through playwright-core.
//
// Grafana itself is packaged neither in Debian nor on npm, so the page is a
// faithful drawing of the dashboard JSON (grid, panel types, units,
// thresholds, value mappings), not a Grafana screenshot; the numbers are
// real Prometheus answers to the dashboard's own queries.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { panelQueries } from '../grafana/panel-queries.mjs';
import { dashboardHtml } from '../grafana/render/page.mjs';
import { startSpendScenario } from '../test/helpers/spend-scenario.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    dashboard: { type: 'string', default: 'costctl-overview.json' },
    out: { type: 'string', default: join(root, 'grafana/screenshots/costctl-overview.png') },
    html: { type: 'string' },
    seconds: { type: 'string', default: '90' },
  },
});
const SCRAPE_SECONDS = 2;
/** The flags this machine's Chromium needs headless; playwright adds --headless and --user-data-dir. */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const tool = (script) => execFileSync('bash', [join(root, 'scripts', script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();

/** The calls of round `round` of `rounds`: steady traffic, an agent looping on Sonnet in the middle third, unpriced calls now and then. */
function callsOf(round, rounds) {
  const calls = ['openai-chat', 'openai-embed', 'anthropic-cached', 'capped'];
  if (round % 2 === 0) calls.push('anthropic-stream');
  if (round % 3 === 0) calls.push('openai-stream');
  if (round % 5 === 0) calls.push('unpriced');
  if (round > rounds / 3 && round < (2 * rounds) / 3) calls.push('anthropic-stream', 'anthropic-stream', 'openai-stream');
  return calls;
}

/** Runs the scenario and returns each panel's query results over it, by panel id. */
async function collect(dashboard) {
  const rounds = Math.max(12, Math.round(Number(args.seconds)));
  console.log(`running the demo app under costctl for about ${rounds} s, scraped by Prometheus every ${SCRAPE_SECONDS} s…`);
  // 40,000 characters of context (~10,000 tokens) a call: a few dollars over the run.
  const scenario = await startSpendScenario({
    binDir: tool('ensure-prometheus.sh'),
    watchLimitUsd: 5,
    cappedLimitUsd: 0.1,
    contextChars: 40_000,
    intervalSeconds: SCRAPE_SECONDS,
  });
  try {
    const outcomes = new Map();
    for (let round = 1; round <= rounds; round++) {
      const started = Date.now();
      if (round === Math.round(rounds * 0.72)) await scenario.gate('trip', 'render-dashboard: runaway agent suspected');
      if (round === Math.round(rounds * 0.85)) await scenario.gate('reset', 'render-dashboard: agent fixed');
      const { outcomes: ended } = await scenario.app.ask(callsOf(round, rounds));
      for (const outcome of ended) outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      await sleep(Math.max(0, 1000 - (Date.now() - started)));
    }
    await scenario.prometheus.waitForScrape(Date.now());
    console.log(`calls by outcome: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    const from = Math.floor(scenario.started / 1000) - SCRAPE_SECONDS;
    const to = Math.ceil(Date.now() / 1000);
    const utcOffsetMinutes = -new Date().getTimezoneOffset();
    const byPanel = new Map();
    for (const query of panelQueries(dashboard, { from, to, scrapeIntervalSeconds: SCRAPE_SECONDS, utcOffsetMinutes })) {
      const series = query.instant
        ? (await scenario.prometheus.query(query.query, query.to)).map((sample) => ({ metric: sample.metric, values: [sample.value] }))
        : await scenario.prometheus.queryRange(query.query, query.from, query.to, query.step);
      if (series.length === 0) console.warn(`  no data: ${query.panel.title} [${query.refId}]`);
      byPanel.set(query.panel.id, [...(byPanel.get(query.panel.id) ?? []), { refId: query.refId, legendFormat: query.legendFormat, series }]);
    }
    return { byPanel, from, to };
  } finally {
    await scenario.stop();
  }
}

async function screenshot(html, out) {
  const executablePath = tool('ensure-chromium.sh');
  const profile = mkdtempSync(join(tmpdir(), 'costctl-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1600, height: 900 },
  });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.setContent(html, { waitUntil: 'load' });
    mkdirSync(dirname(out), { recursive: true });
    await page.screenshot({ path: out, fullPage: true });
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const dashboard = JSON.parse(readFileSync(join(root, 'grafana/dashboards', args.dashboard), 'utf8'));
const { byPanel, from, to } = await collect(dashboard);
const html = dashboardHtml(dashboard, byPanel, {
  from,
  to,
  note: `drawn by scripts/render-dashboard.mjs from grafana/dashboards/${args.dashboard} and a live Prometheus`,
});
if (args.html) writeFileSync(resolve(args.html), html);
await screenshot(html, resolve(args.out));
console.log(`wrote ${resolve(args.out)}`);
