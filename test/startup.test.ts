import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
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
          env: {
            PATH: process.env.PATH,
            OTEL_METRICS_EXPORTER: 'none',
            COSTCTL_STATE_DIR: join(dir, 'state'),
            ...(config ? { COSTCTL_CONFIG: join(dir, config) } : {}),
          },
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

  it('warns of a misspelt COSTCTL_ variable with the name meant, and the app runs', () => {
    const result = spawnSync(process.execPath, ['--import', '@costctl/otel/register', '-e', 'console.log("app ran")'], {
      cwd: repoRoot,
      encoding: 'utf8',
      // The bundled price data's age depends on the day the test runs: its warning is tested in test/prices-running-app.test.ts.
      env: { PATH: process.env.PATH, OTEL_METRICS_EXPORTER: 'none', COSTCTL_STORE: 'memory', COSTCTL_DAILY_LIMIT: '5', COSTCTL_PRICE_DATA_MAX_AGE_DAYS: '0' },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('app ran\n');
    const lines = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'costctl ignores COSTCTL_DAILY_LIMIT: no costctl setting has that name; did you mean COSTCTL_DAILY_LIMIT_USD?',
        variable: 'COSTCTL_DAILY_LIMIT',
        suggestion: 'COSTCTL_DAILY_LIMIT_USD',
      }),
    ]);
  });

  it('stops on a misspelt config-file key or a YAML syntax error, naming file, key or line, and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'costctl-typo-'));
    try {
      const run = (yaml: string) => {
        writeFileSync(join(dir, 'costctl.yaml'), yaml);
        return spawnSync(process.execPath, ['--import', '@costctl/otel/register', '-e', 'console.log("app ran")'], {
          cwd: repoRoot,
          encoding: 'utf8',
          env: { PATH: process.env.PATH, OTEL_METRICS_EXPORTER: 'none', COSTCTL_STORE: 'memory', COSTCTL_CONFIG: join(dir, 'costctl.yaml') },
        });
      };
      const file = join(dir, 'costctl.yaml');
      const typo = run('rules:\n  - name: daily\n    limit: 5\n    windw: day\n');
      expect({ status: typo.status, stdout: typo.stdout }).toEqual({ status: 2, stdout: '' });
      expect(typo.stderr).toContain(`costctl: invalid configuration (${file}):\n`);
      expect(typo.stderr).toContain(`  - ${file}: rules.0.windw="day": expected a key the file knows: did you mean window?\n`);
      const syntax = run('rules:\n  - name: daily\n   window: day\n');
      expect({ status: syntax.status, stdout: syntax.stdout, stderr: syntax.stderr }).toEqual({
        status: 2,
        stdout: '',
        stderr: `costctl: invalid configuration (${file}):\n  - ${file}:3:1="   window: day": expected valid YAML: Sequence item without - indicator\n`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops at once on a Node.js below 22.15, with one line, exit code 2 and no call made; the CLI too', () => {
    const { node, args, version } = olderNode();
    const dir = mkdtempSync(join(tmpdir(), 'costctl-old-node-'));
    try {
      const env = { PATH: process.env.PATH, COSTCTL_STATE_DIR: join(dir, 'state'), COSTCTL_ENDPOINTS: 'openai=http://127.0.0.1:9/v1' };
      // The app would print, then call a paid API: neither may happen.
      const app = `console.log('app ran'); fetch('http://127.0.0.1:9/v1/chat/completions', { method: 'POST', body: '{}' }).catch(() => {});`;
      const refused = spawnSync(node, [...args, '--import', '@costctl/otel/register', '-e', app], { cwd: repoRoot, encoding: 'utf8', env });
      expect(refused.status).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toBe(
        `costctl: Node.js ${version} is not supported (costctl needs Node.js >= 22.15); ` +
          'install Node.js 22.15 or later, or set COSTCTL_DISABLED=true to run the app without costctl\n',
      );
      expect(existsSync(join(dir, 'state')) ? readdirSync(join(dir, 'state')) : []).toEqual([]);

      // The way on that the line names: the app runs, uninstrumented.
      const disabled = spawnSync(node, [...args, '--import', '@costctl/otel/register', '-e', 'console.log("app ran")'], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...env, COSTCTL_DISABLED: 'true' },
      });
      expect({ status: disabled.status, stdout: disabled.stdout, stderr: disabled.stderr }).toEqual({ status: 0, stdout: 'app ran\n', stderr: '' });

      const api = spawnSync(
        node,
        [
          ...args,
          '--input-type=module',
          '-e',
          `import { start } from '@costctl/otel'; try { start(); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`,
        ],
        { cwd: repoRoot, encoding: 'utf8', env },
      );
      expect(JSON.parse(api.stdout)).toEqual({ code: 'COSTCTL_NODE_UNSUPPORTED', message: refused.stderr.trim() });

      const cli = spawnSync(node, [...args, join(repoRoot, 'packages/cli/dist/costctl.js'), 'status'], { cwd: dir, encoding: 'utf8', env });
      expect({ status: cli.status, stdout: cli.stdout, stderr: cli.stderr }).toEqual({
        status: 2,
        stdout: '',
        stderr: `costctl: Node.js ${version} is not supported (costctl needs Node.js >= 22.15); install Node.js 22.15 or later and run costctl with it\n`,
      });
      expect(existsSync(join(dir, 'state'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('declares the same Node.js floor in every package it checks at start-up', () => {
    for (const pkg of ['package.json', 'packages/otel/package.json', 'packages/cli/package.json']) {
      expect((JSON.parse(readFileSync(join(repoRoot, pkg), 'utf8')) as { engines: { node: string } }).engines.node, pkg).toBe('>=22.15');
    }
  });
});

/**
 * A Node.js below the floor to run: the machine's own (Debian's is 20) when there is one, else
 * this one told to report 20.0.0, which exercises the same check but not what an old Node lacks.
 */
function olderNode(): { node: string; args: string[]; version: string } {
  const candidates = [...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'node')), '/usr/bin/node', '/usr/local/bin/node'];
  for (const node of candidates) {
    if (!existsSync(node)) continue;
    const version = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.trim() ?? '';
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major > 0 && (major < 22 || (major === 22 && minor < 15))) return { node, args: [], version };
  }
  const pretend = `data:text/javascript,Object.defineProperty(process.versions, 'node', { value: '20.0.0' })`;
  return { node: process.execPath, args: ['--import', pretend], version: '20.0.0' };
}
