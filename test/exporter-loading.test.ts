import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from './helpers/ports.js';
import { repoRoot } from './helpers/run-app.js';

// Records every module URL resolved in the process, before costctl loads.
const RECORD = `data:text/javascript,${encodeURIComponent(
  "import { registerHooks } from 'node:module'; globalThis.loaded = []; registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); globalThis.loaded.push(result.url); return result; } });",
)}`;
const REPORT =
  "setImmediate(() => { console.log(JSON.stringify([...new Set(globalThis.loaded.filter((url) => /exporter-(prometheus|metrics-otlp-http)\\/dist\\/index/.test(url)).map((url) => url.split('/@opentelemetry/')[1].split('/')[0]))])); process.exit(0); });";

/** The exporter packages a process started with `OTEL_METRICS_EXPORTER=exporters` loaded. */
async function exportersLoaded(exporters: string): Promise<string[]> {
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
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as string[];
}

describe('exporter modules', () => {
  it('are not loaded when no exporter is configured', async () => {
    expect(await exportersLoaded('none')).toEqual([]);
  });

  it('are loaded one by one, as configured', async () => {
    expect(await exportersLoaded('prometheus')).toEqual(['exporter-prometheus']);
    expect(await exportersLoaded('otlp')).toEqual(['exporter-metrics-otlp-http']);
  });
});
