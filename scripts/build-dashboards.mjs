// Builds the Grafana dashboards from their code (grafana/dashboards/src) into
// the JSON files Grafana provisions: grafana/dashboards/<name>.json.
//
//   node scripts/build-dashboards.mjs [outDir]
//
// The output is deterministic (no timestamps or generated ids), so the
// checked-in JSON can be compared with a fresh build: test/dashboards.test.ts
// fails when the JSON and the code drift apart.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { breakdown } from '../grafana/dashboards/src/breakdown.mjs';
import { overview } from '../grafana/dashboards/src/overview.mjs';

export const defaultOutDir = fileURLToPath(new URL('../grafana/dashboards', import.meta.url));

/** Numbers the panels (rows included) 1, 2, … in order, so links and edits to a panel keep pointing at it. */
function numberPanels(dashboard) {
  let id = 0;
  for (const panel of dashboard.panels ?? []) {
    panel.id = ++id;
    for (const inner of panel.panels ?? []) inner.id = ++id;
  }
  return dashboard;
}

const render = (dashboard) => `${JSON.stringify(numberPanels(dashboard), null, 2)}\n`;

/** Each dashboard's file name and its JSON text, as written. */
export function buildDashboards() {
  return {
    'costctl-overview.json': render(overview()),
    'costctl-breakdown.json': render(breakdown()),
  };
}

/** Writes every dashboard into `outDir`; returns the paths written. */
export function writeDashboards(outDir = defaultOutDir) {
  mkdirSync(outDir, { recursive: true });
  return Object.entries(buildDashboards()).map(([name, text]) => {
    const path = join(outDir, name);
    writeFileSync(path, text);
    return path;
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const path of writeDashboards(process.argv[2] ? resolve(process.argv[2]) : defaultOutDir)) console.log(`wrote ${path}`);
}
