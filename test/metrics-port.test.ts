import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApp } from './helpers/run-app.js';
import { freePort } from './helpers/ports.js';

let taken: Server;
let port: number;

beforeAll(async () => {
  port = await freePort();
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => taken.close(resolve));
});

describe('a Prometheus port another process holds', () => {
  it('logs one warning naming host:port, the variable to change and the alternatives, and the app runs on', async () => {
    // The bundled price data's age depends on the day the test runs: its warning is tested in test/prices-running-app.test.ts.
    const run = await runApp('test/apps/probe-fetch.mjs', {
      scrape: false,
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), COSTCTL_STORE: 'memory', COSTCTL_PRICE_DATA_MAX_AGE_DAYS: '0' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.lines).toHaveLength(1);
    const warnings = run.stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(warnings).toEqual([
      {
        time: expect.any(String),
        level: 'warn',
        name: 'costctl',
        msg:
          `costctl cannot serve metrics on 127.0.0.1:${port} (EADDRINUSE), so this process's costs are not exported; ` +
          'give each process its own port with OTEL_EXPORTER_PROMETHEUS_PORT, or push to an OpenTelemetry Collector with OTEL_METRICS_EXPORTER=otlp ' +
          '(docs/operations.md, "Several processes on one host")',
        host: '127.0.0.1',
        port,
        error: expect.stringContaining('EADDRINUSE'),
      },
    ]);
  });
});
