import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Metric } from '../packages/otel/dist/model/otel-names.js';
import { exportedSeries } from './helpers/exported-series.js';
import type { Sample } from './helpers/prometheus.js';
import { repoRoot } from './helpers/run-app.js';

interface Row {
  otel: string;
  kind: string;
  prometheus: string;
  labels: string[];
}

/** The rows of docs/metrics.md's metric tables (between `<!-- metrics:… -->` and `<!-- metrics:end -->`). */
function documented(): Row[] {
  const text = readFileSync(join(repoRoot, 'docs/metrics.md'), 'utf8');
  const tables = [...text.matchAll(/<!-- metrics:\w+ -->\n([\s\S]*?)<!-- metrics:end -->/g)].map((match) => match[1]!);
  return tables.flatMap((table) =>
    table
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => {
        const cells = line.split(' | ').map((cell) => cell.replace(/^\| |\|$/g, '').trim());
        const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
        return { otel: names(cells[0]!)[0]!, kind: cells[1]!, prometheus: names(cells[2]!)[0]!, labels: names(cells[3]!) };
      }),
  );
}

/** Labels every call series has, written once above the table rather than on each row. */
const CALL_LABELS = ['gen_ai_provider_name', 'gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_response_model'];
const CALL_METRICS = [
  'costctl.cost.usd',
  'costctl.tokens',
  'costctl.requests',
  'costctl.unpriced_requests',
  'costctl.units',
  'gen_ai.client.token.usage',
  'gen_ai.client.operation.duration',
];
/** Labels the exporter adds to every series. */
const EXPORTER_LABELS = ['otel_scope_name', 'le'];
/** What the scrape of exportedSeries() cannot hold: no call in it is billed in units, and none fails. */
const NOT_IN_THE_SCRAPE = { metrics: ['costctl_units_total'], labels: ['gen_ai_client_operation_duration error_type'] };

describe('docs/metrics.md', () => {
  it('documents every instrument the SDK creates, under the Prometheus name the exporter gives it', () => {
    const rows = documented();
    expect(rows.map((row) => row.otel).sort()).toEqual(Object.values(Metric).sort());
    for (const row of rows) {
      const expected = row.otel.replaceAll('.', '_') + (row.kind.startsWith('counter') ? '_total' : '');
      expect(row.prometheus, row.otel).toBe(expected);
    }
  });

  describe('against a real scrape', () => {
    let samples: Sample[];
    beforeAll(async () => {
      samples = await exportedSeries();
    }, 120_000);

    it('every metric documented is exported, and every metric exported is documented', () => {
      const rows = documented();
      const exported = new Set(samples.map((sample) => sample.name.replace(/_(bucket|sum|count)$/, '')));
      exported.delete('target_info');
      const names = rows.map((row) => row.prometheus);
      expect([...exported].filter((name) => !names.includes(name))).toEqual([]);
      expect(names.filter((name) => !exported.has(name))).toEqual(NOT_IN_THE_SCRAPE.metrics);
    });

    it("every metric's labels are the ones documented", () => {
      const missing: string[] = [];
      const undocumented: string[] = [];
      for (const row of documented()) {
        const ofMetric = samples.filter((sample) => sample.name.replace(/_(bucket|sum|count)$/, '') === row.prometheus);
        if (ofMetric.length === 0) continue;
        const exported = new Set(ofMetric.flatMap((sample) => Object.keys(sample.labels)));
        const allowed = new Set([...row.labels, ...EXPORTER_LABELS, ...(CALL_METRICS.includes(row.otel) ? CALL_LABELS : [])]);
        for (const label of exported) if (!allowed.has(label)) undocumented.push(`${row.prometheus} ${label}`);
        for (const label of row.labels) if (!exported.has(label)) missing.push(`${row.prometheus} ${label}`);
      }
      expect(undocumented).toEqual([]);
      expect(missing).toEqual(NOT_IN_THE_SCRAPE.labels);
    });
  });
});
