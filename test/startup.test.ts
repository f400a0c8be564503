import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot, runApp } from './helpers/run-app.js';

describe('start-up', () => {
  it('with COSTCTL_DISABLED=true loads nothing: fetch is the original and no metrics endpoint opens', async () => {
    const plain = await runApp('test/apps/probe-fetch.mjs', { register: false });
    const disabled = await runApp('test/apps/probe-fetch.mjs', { env: { COSTCTL_DISABLED: 'true' } });
    expect(disabled.lines).toEqual(plain.lines);
    expect(disabled.scrapeError).toBe('ECONNREFUSED');

    const enabled = await runApp('test/apps/probe-fetch.mjs');
    expect(enabled.lines).not.toEqual(plain.lines);
    expect(enabled.scrapeError).toBeUndefined();
  });

  it('stops on a bad configuration with one readable message and exit code 2', () => {
    const result = spawnSync(process.execPath, ['--import', '@costctl/otel/register', '-e', 'console.log("app ran")'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, COSTCTL_ENDPOINTS: 'openai', OTEL_METRICS_EXPORTER: 'statsd' },
    });
    expect(result.status).toBe(2);
    expect(result.stdout).not.toContain('app ran');
    expect(result.stderr).toBe(
      'costctl: invalid configuration (environment):\n' +
        '  - COSTCTL_ENDPOINTS="openai": expected comma-separated provider=baseURL pairs, e.g. openai=http://127.0.0.1:8080/v1\n' +
        '  - OTEL_METRICS_EXPORTER="statsd": expected a comma-separated list of prometheus, otlp, console, none\n',
    );
  });
});
