import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('loads the YAML parser only for a YAML config file, and reads that file with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'costctl-startup-'));
    try {
      writeFileSync(join(dir, 'costctl.yaml'), 'rules:\n  - name: daily\n    window: day\n    limit: 7\n');
      writeFileSync(join(dir, 'costctl.json'), JSON.stringify({ rules: [{ name: 'daily', window: 'day', limit: 7 }] }));
      // Whether the yaml package is in the module cache once the app runs (an import of its CommonJS entry puts it there too).
      const probe = `import { createRequire } from 'node:module';
        import { start } from '@costctl/otel';
        const loaded = Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('/node_modules/yaml/'));
        console.log(JSON.stringify({ loaded, rules: start().config.rules.map((rule) => [rule.name, rule.limit]) }));`;
      const run = (config: string | undefined) => {
        const result = spawnSync(process.execPath, ['--import', '@costctl/otel/register', '--input-type=module', '-e', probe], {
          cwd: repoRoot,
          encoding: 'utf8',
          env: { PATH: process.env.PATH, OTEL_METRICS_EXPORTER: 'none', COSTCTL_STATE_DIR: join(dir, 'state'), ...(config ? { COSTCTL_CONFIG: join(dir, config) } : {}) },
        });
        // start() from the app hands back the instance register started (and says so in a warning).
        expect(result.status, result.stderr).toBe(0);
        return JSON.parse(result.stdout) as { loaded: boolean; rules: [string, number][] };
      };
      expect(run(undefined)).toEqual({ loaded: false, rules: [] });
      expect(run('costctl.json')).toEqual({ loaded: false, rules: [['daily', 7]] });
      expect(run('costctl.yaml')).toEqual({ loaded: true, rules: [['daily', 7]] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
