import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './helpers/ports.js';
import { repoRoot } from './helpers/run-app.js';

// Records every module URL resolved in the process, before costctl loads.
const RECORD = `data:text/javascript,${encodeURIComponent(
  "import { registerHooks } from 'node:module'; globalThis.loaded = []; registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); globalThis.loaded.push(result.url); return result; } });",
)}`;
// The packages costctl loads only when its configuration needs them, by their entry modules.
const REPORT =
  'setImmediate(() => { console.log(JSON.stringify([...new Set(globalThis.loaded.map((url) => /node_modules\\/((?:@opentelemetry\\/)?(?:exporter-prometheus|exporter-metrics-otlp-http|sdk-metrics|resources|zod|yaml))\\/(?:dist\\/)?index\\.(?:m?js|cjs)$/.exec(url)?.[1]).filter(Boolean))].sort())); process.exit(0); });';

/** The optional packages a process started with `OTEL_METRICS_EXPORTER=exporters` (and these variables) loaded. */
async function packagesLoaded(exporters: string, env: Record<string, string> = {}): Promise<string[]> {
  const port = await freePort();
  const run = spawnSync(process.execPath, ['--import', RECORD, '--import', '@costctl/otel/register', '--input-type=module', '-e', REPORT], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      COSTCTL_STORE: 'memory',
      OTEL_METRICS_EXPORTER: exporters,
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      // The bundled price data's age warning would be the one stderr line; this test is about which modules load.
      COSTCTL_PRICE_DATA_MAX_AGE_DAYS: '0',
      ...env,
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as string[];
}

const SDK = ['@opentelemetry/resources', '@opentelemetry/sdk-metrics'];

describe('modules loaded at start-up', () => {
  it('leave out the metrics SDK, every exporter and zod when nothing is exported and the environment is the configuration', async () => {
    expect(await packagesLoaded('none')).toEqual([]);
  });

  it('take the metrics SDK and each exporter one by one, as configured', async () => {
    expect(await packagesLoaded('prometheus')).toEqual(['@opentelemetry/exporter-prometheus', ...SDK]);
    expect(await packagesLoaded('otlp')).toEqual(['@opentelemetry/exporter-metrics-otlp-http', ...SDK]);
    expect(await packagesLoaded('console')).toEqual(SDK);
  });

  it('take zod to validate a config file, and yaml only for a YAML one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'costctl-loading-'));
    writeFileSync(join(dir, 'costctl.config.json'), JSON.stringify({ store: 'memory' }));
    writeFileSync(join(dir, 'costctl.config.yaml'), 'store: memory\n');
    expect(await packagesLoaded('none', { COSTCTL_CONFIG: join(dir, 'costctl.config.json') })).toEqual(['zod']);
    expect(await packagesLoaded('none', { COSTCTL_CONFIG: join(dir, 'costctl.config.yaml') })).toEqual(['yaml', 'zod']);
  });
});
