import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../model/errors.js';
import { loadConfig } from './load.js';

function dir(files: Record<string, string> = {}): string {
  const path = mkdtempSync(join(tmpdir(), 'costctl-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(path, name), text);
  return path;
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the defaults with no file and no variables', () => {
    const config = loadConfig({ env: {}, cwd: dir() });
    expect(config).toMatchObject({
      disabled: false,
      endpoints: [],
      labels: [],
      prices: {},
      metrics: { exporters: ['prometheus'], prometheus: { host: 'localhost', port: 9464 }, exportIntervalMillis: 60_000, exportTimeoutMillis: 30_000 },
      logLevel: 'info',
    });
  });

  it('reads the environment variables of docs/configuration.md', () => {
    const config = loadConfig({
      cwd: dir(),
      env: {
        COSTCTL_ENDPOINTS: 'openai=http://127.0.0.1:8080/v1, anthropic=http://localhost:9000',
        COSTCTL_LABELS: 'tenant,feature',
        OTEL_METRICS_EXPORTER: 'prometheus,otlp',
        OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
        OTEL_EXPORTER_PROMETHEUS_PORT: '9999',
        COSTCTL_LOG_LEVEL: 'WARN',
        OTEL_METRIC_EXPORT_INTERVAL: '5000',
      },
    });
    expect(config.endpoints).toEqual([
      { provider: 'openai', baseUrl: 'http://127.0.0.1:8080/v1' },
      { provider: 'anthropic', baseUrl: 'http://localhost:9000' },
    ]);
    expect(config.labels).toEqual(['tenant', 'feature']);
    expect(config.metrics).toEqual({
      exporters: ['prometheus', 'otlp'],
      prometheus: { host: '0.0.0.0', port: 9999 },
      exportIntervalMillis: 5000,
      exportTimeoutMillis: 30_000,
    });
    expect(config.logLevel).toBe('warn');
  });

  it('reads costctl.config.json from cwd, and the environment wins over it', () => {
    const cwd = dir({
      'costctl.config.json': JSON.stringify({
        labels: ['team'],
        prices: { openai: { 'my-model': { input: 1, output: 2 } } },
        metrics: { exporters: ['none'] },
      }),
    });
    const config = loadConfig({ cwd, env: { COSTCTL_LABELS: 'tenant' } });
    expect(config.labels).toEqual(['tenant']);
    expect(config.prices).toEqual({ openai: { 'my-model': { input: 1, output: 2 } } });
    expect(config.metrics.exporters).toEqual(['none']);
  });

  it('reads a YAML file named by COSTCTL_CONFIG', () => {
    const cwd = dir({ 'costctl.yaml': 'labels:\n  - tenant\nendpoints:\n  - provider: openai\n    baseUrl: http://127.0.0.1:1/v1\n' });
    const config = loadConfig({ cwd, env: { COSTCTL_CONFIG: 'costctl.yaml' } });
    expect(config.labels).toEqual(['tenant']);
    expect(config.endpoints).toEqual([{ provider: 'openai', baseUrl: 'http://127.0.0.1:1/v1' }]);
  });

  it('reports every bad value at once, naming the variable, the value and what is allowed', () => {
    const error = configError(() =>
      loadConfig({
        cwd: dir(),
        env: {
          COSTCTL_DISABLED: 'maybe',
          COSTCTL_ENDPOINTS: 'openai',
          OTEL_METRICS_EXPORTER: 'prometheus,zipkin',
          OTEL_EXPORTER_PROMETHEUS_PORT: '99999',
          COSTCTL_LABELS: 'tenant,9lives',
          OTEL_METRIC_EXPORT_INTERVAL: '1m',
        },
      }),
    );
    expect(error.code).toBe('COSTCTL_CONFIG_INVALID');
    expect(error.issues.map((issue) => issue.key)).toEqual([
      'COSTCTL_DISABLED',
      'COSTCTL_ENDPOINTS',
      'COSTCTL_LABELS',
      'OTEL_METRICS_EXPORTER',
      'OTEL_EXPORTER_PROMETHEUS_PORT',
      'OTEL_METRIC_EXPORT_INTERVAL',
    ]);
    expect(error.message).toContain('COSTCTL_DISABLED="maybe": expected true or false');
    expect(error.message).toContain('OTEL_METRICS_EXPORTER="prometheus,zipkin": expected a comma-separated list of prometheus, otlp, console, none');
    expect(error.message).toContain('COSTCTL_LABELS="9lives"');
  });

  it('names the values each enumerated variable allows, and takes them in any case', () => {
    const error = configError(() =>
      loadConfig({
        cwd: dir(),
        env: {
          COSTCTL_LOG_LEVEL: 'verbose',
          COSTCTL_ON_EXCEED: 'warn',
          COSTCTL_BLOCK_MODE: 'reject',
          COSTCTL_STORE: 'sqlite',
          COSTCTL_ON_STORE_UNREACHABLE: 'half',
          COSTCTL_UNKNOWN_MODEL: 'free',
        },
      }),
    );
    expect(error.issues.map(({ key, expected }) => `${key}: ${expected}`)).toEqual([
      'COSTCTL_LOG_LEVEL: one of debug, info, warn, error, silent',
      'COSTCTL_ON_EXCEED: one of alert, block, trip',
      'COSTCTL_BLOCK_MODE: one of respond, throw',
      'COSTCTL_STORE: one of memory, file, redis',
      'COSTCTL_ON_STORE_UNREACHABLE: one of closed, open',
      'COSTCTL_UNKNOWN_MODEL: one of estimate, block',
    ]);
    const config = loadConfig({
      cwd: dir(),
      env: {
        COSTCTL_LOG_LEVEL: 'WARN',
        COSTCTL_ON_EXCEED: 'Trip',
        COSTCTL_BLOCK_MODE: 'THROW',
        COSTCTL_STORE: 'Memory',
        COSTCTL_ON_STORE_UNREACHABLE: 'OPEN',
        COSTCTL_UNKNOWN_MODEL: 'Block',
        OTEL_METRICS_EXPORTER: 'otlp, console',
      },
    });
    expect(config).toMatchObject({
      logLevel: 'warn',
      onExceed: 'trip',
      blockMode: 'throw',
      store: 'memory',
      onStoreUnreachable: 'open',
      unknownModel: 'block',
      metrics: { exporters: ['otlp', 'console'] },
    });
  });

  it('names an unknown provider in an endpoint and lists the known ones', () => {
    const error = configError(() => loadConfig({ cwd: dir(), env: { COSTCTL_ENDPOINTS: 'openia=http://127.0.0.1:1/v1' } }));
    expect(error.message).toMatch(/endpoints\[0\]\.provider="openia": expected one of openai, anthropic/);
  });

  it('names a bad key of the config file with its path, value and what is allowed', () => {
    const cwd = dir({
      'costctl.config.json': JSON.stringify({ prices: { openai: { m: { input: -1, output: 2 } } }, lables: ['x'] }),
    });
    const error = configError(() => loadConfig({ cwd, env: {} }));
    const keys = error.issues.map((issue) => issue.key);
    expect(keys).toContain(`${join(cwd, 'costctl.config.json')}: prices.openai.m.input`);
    expect(keys).toContain(`${join(cwd, 'costctl.config.json')}: lables`);
    expect(error.message).toContain(`${join(cwd, 'costctl.config.json')}: lables=["x"]: expected a key the file knows: did you mean labels?`);
    expect(error.message).toMatch(/input=-1: expected number to be >=0/);
  });

  it('reports a file that is not JSON, and a COSTCTL_CONFIG that does not exist', () => {
    const cwd = dir({ 'costctl.config.json': '{ "labels": [' });
    expect(configError(() => loadConfig({ cwd, env: {} })).message).toMatch(/expected valid JSON/);
    expect(configError(() => loadConfig({ cwd, env: { COSTCTL_CONFIG: 'missing.json' } })).message).toMatch(
      /COSTCTL_CONFIG="missing.json": expected a readable file/,
    );
  });

  it('turns the env shorthands into rules, with the default levels and action', () => {
    const config = loadConfig({
      cwd: dir(),
      env: {
        COSTCTL_DAILY_LIMIT_USD: '10',
        COSTCTL_MAX_REQUESTS_PER_HOUR: '500',
        COSTCTL_WARN_AT: '0.5',
        COSTCTL_ON_EXCEED: 'trip',
        COSTCTL_TIMEZONE: 'Europe/Paris',
      },
    });
    expect(config.timezone).toBe('Europe/Paris');
    expect(config.rules).toEqual([
      { name: 'daily_usd', limit: 10, unit: 'usd', window: 'day', scope: {}, warnAt: 0.5, criticalAt: 0.9, action: 'trip' },
      { name: 'requests_per_hour', limit: 500, unit: 'requests', window: 'hour', scope: {}, warnAt: 0.5, criticalAt: 0.9, action: 'trip' },
    ]);
  });

  it('reads rules from the file, and an env shorthand replaces the file rule of the same name', () => {
    const cwd = dir({
      'costctl.config.json': JSON.stringify({
        labels: ['tenant'],
        rules: [
          { name: 'daily_usd', limit: 50, window: 'day' },
          {
            name: 'acme_tokens',
            limit: 1e6,
            unit: 'tokens',
            window: 'rolling:15m',
            scope: { tenant: 'acme', provider: 'openai' },
            action: 'alert',
            warnAt: 0.5,
          },
        ],
      }),
    });
    const config = loadConfig({ cwd, env: { COSTCTL_DAILY_LIMIT_USD: '5' } });
    expect(config.rules.map((rule) => [rule.name, rule.limit, rule.action])).toEqual([
      ['daily_usd', 5, 'block'],
      ['acme_tokens', 1e6, 'alert'],
    ]);
    expect(config.rules[1]).toMatchObject({ window: 'rolling:15m', scope: { tenant: 'acme', provider: 'openai' }, warnAt: 0.5, criticalAt: 0.9 });
  });

  it('turns each prepaid balance into a block rule on its provider, bought at its date', () => {
    const cwd = dir({
      'costctl.config.json': JSON.stringify({
        credits: { openai: { balance: 100, since: '2026-11-01' }, anthropic: { balance: 50, since: '2026-11-20T09:30:00+01:00', action: 'trip', warnAt: 0.5 } },
        currency: { code: 'EUR', perUsd: 0.92 },
      }),
    });
    const config = loadConfig({ cwd, env: { COSTCTL_DAILY_LIMIT_USD: '5' } });
    expect(config.currency).toEqual({ code: 'EUR', perUsd: 0.92 });
    expect(config.rules).toEqual([
      expect.objectContaining({ name: 'daily_usd' }),
      {
        name: 'credits_openai',
        limit: 100,
        unit: 'usd',
        window: 'total',
        scope: { provider: 'openai' },
        warnAt: 0.7,
        criticalAt: 0.9,
        action: 'block',
        credits: { provider: 'openai', since: Date.UTC(2026, 10, 1) },
      },
      expect.objectContaining({
        name: 'credits_anthropic',
        action: 'trip',
        warnAt: 0.5,
        credits: { provider: 'anthropic', since: Date.UTC(2026, 10, 20, 8, 30) },
      }),
    ]);
  });

  it('rejects a rule that takes the name of a prepaid balance, and a balance that is not positive', () => {
    const cwd = dir({ 'costctl.config.json': JSON.stringify({ credits: { openai: { balance: 0 } } }) });
    expect(configError(() => loadConfig({ cwd, env: {} })).message).toMatch(/credits\.openai\.balance=0: expected/);
    const clash = dir({
      'costctl.config.json': JSON.stringify({ credits: { openai: { balance: 1 } }, rules: [{ name: 'credits_openai', limit: 1, window: 'day' }] }),
    });
    expect(configError(() => loadConfig({ cwd: clash, env: {} })).message).toMatch(/rules\.credits_openai="credits_openai": expected another rule name/);
  });

  it('rejects a bad time zone, window, scope, level order and a store that is not there yet', () => {
    const cwd = dir({
      'costctl.config.json': JSON.stringify({
        rules: [
          { name: 'a', limit: 1, window: 'fortnight' },
          { name: 'b', limit: 1, window: 'day', scope: { team: 'x' } },
          { name: 'c', limit: 1, window: 'day', warnAt: 0.95 },
        ],
      }),
    });
    const error = configError(() => loadConfig({ cwd, env: { COSTCTL_TIMEZONE: 'Mars/Olympus', COSTCTL_STORE: 'redis' } }));
    expect(error.message).toContain('rules.0.window="fortnight": expected a window: minute, hour, day, month, total, or rolling:<n><s|m|h|d>');
    const error2 = configError(() =>
      loadConfig({
        cwd: dir({
          'costctl.config.json': JSON.stringify({
            rules: [
              { name: 'b', limit: 1, window: 'day', scope: { team: 'x' } },
              { name: 'c', limit: 1, window: 'day', warnAt: 0.95 },
            ],
          }),
        }),
        env: { COSTCTL_TIMEZONE: 'Mars/Olympus', COSTCTL_STORE: 'redis' },
      }),
    );
    expect(error2.issues.map((issue) => issue.key)).toEqual(['rules.b.scope', 'rules.c.warnAt', 'COSTCTL_TIMEZONE', 'COSTCTL_REDIS_URL']);
    expect(error2.message).toContain('rules.b.scope="team": expected provider, model, or a label listed in COSTCTL_LABELS (none listed)');
    expect(error2.message).toContain('COSTCTL_TIMEZONE="Mars/Olympus": expected an IANA time zone');
    expect(error2.message).toContain('rules.c.warnAt=0.95: expected less than criticalAt (0.9)');
  });

  it('names the nearest key for an unknown one in the file, at any depth, instead of listing every key', () => {
    const cwd = dir({
      'costctl.yaml': 'lables: [tenant]\nrules:\n  - name: daily\n    limit: 5\n    windw: day\nmetrics:\n  prometheus:\n    hots: 0.0.0.0\nfrobnicate: true\n',
    });
    const error = configError(() => loadConfig({ cwd, env: { COSTCTL_CONFIG: 'costctl.yaml' } }));
    const file = join(cwd, 'costctl.yaml');
    expect(error.code).toBe('COSTCTL_CONFIG_INVALID');
    expect(error.message).toContain(`${file}: lables=["tenant"]: expected a key the file knows: did you mean labels?`);
    expect(error.message).toContain(`${file}: rules.0.windw="day": expected a key the file knows: did you mean window?`);
    expect(error.message).toContain(`${file}: metrics.prometheus.hots="0.0.0.0": expected a key the file knows: did you mean host?`);
    expect(error.message).toContain(`${file}: frobnicate=true: expected a key the file knows (config.schema.json lists them)`);
    expect(error.message).not.toContain('allowed here');
  });

  it('names the file, line and column of a YAML or JSON syntax error, with that line', () => {
    const yaml = dir({ 'costctl.yaml': 'rules:\n  - name: daily\n   window: day\n' });
    expect(configError(() => loadConfig({ cwd: yaml, env: { COSTCTL_CONFIG: 'costctl.yaml' } })).message).toBe(
      `costctl: invalid configuration (${join(yaml, 'costctl.yaml')}):\n` +
        `  - ${join(yaml, 'costctl.yaml')}:3:1="   window: day": expected valid YAML: Sequence item without - indicator\n`.trimEnd(),
    );
    const json = dir({ 'costctl.config.json': '{\n  "labels": ["tenant"],\n  "store" "file"\n}\n' });
    expect(configError(() => loadConfig({ cwd: json, env: {} })).message).toContain(
      `${join(json, 'costctl.config.json')}:3:11=${JSON.stringify('  "store" "file"')}: expected valid JSON: Expected ':' after property name`,
    );
    const cut = dir({ 'costctl.config.json': '{ "labels": [\n' });
    expect(configError(() => loadConfig({ cwd: cut, env: {} })).message).toContain(
      `${join(cut, 'costctl.config.json')}:1:14=${JSON.stringify('{ "labels": [')}: expected valid JSON: Unexpected end of JSON input`,
    );
  });

  it('warns of an unknown COSTCTL_ variable with the nearest name, and starts', () => {
    const warnings: [string, Record<string, unknown>][] = [];
    const config = loadConfig({
      cwd: dir(),
      env: {
        COSTCTL_DAYLY_LIMIT_USD: '5',
        COSTCTL_LABELS: 'tenant',
        costctl_store: 'memory',
        COSTCTL_EVERYTHING: '1',
        COSTCTL_OPENAI_ADMIN_URL: 'https://x',
        HOME: '/',
      },
      onWarning: (message, fields) => warnings.push([message, fields]),
    });
    expect(config.labels).toEqual(['tenant']);
    expect(warnings).toEqual([
      [
        'costctl ignores COSTCTL_DAYLY_LIMIT_USD: no costctl setting has that name; did you mean COSTCTL_DAILY_LIMIT_USD?',
        { variable: 'COSTCTL_DAYLY_LIMIT_USD', suggestion: 'COSTCTL_DAILY_LIMIT_USD' },
      ],
      [
        'costctl ignores costctl_store: no costctl setting has that name; did you mean COSTCTL_STORE?',
        { variable: 'costctl_store', suggestion: 'COSTCTL_STORE' },
      ],
      ['costctl ignores COSTCTL_EVERYTHING: no costctl setting has that name (docs/configuration.md lists them)', { variable: 'COSTCTL_EVERYTHING' }],
    ]);
  });

  it('knows every variable the README and docs/ document, so none of them is warned of', () => {
    const root = new URL('../../../../', import.meta.url);
    const pages = ['README.md', ...readdirSync(new URL('docs/', root)).map((page) => `docs/${page}`)].map((page) => readFileSync(new URL(page, root), 'utf8'));
    // Error codes share the prefix, and a typo shown with its warning (and the command that makes it) is not a variable.
    const lines = pages.flatMap((text) => text.split('\n'));
    const typos = new Set(lines.flatMap((line) => [...line.matchAll(/ignores (COSTCTL_[A-Z0-9_]*[A-Z0-9]):.*did you mean/g)].map((match) => match[1]!)));
    const documented = new Set(
      lines
        .flatMap((line) => line.match(/COSTCTL_[A-Z0-9_]*[A-Z0-9]/g) ?? [])
        .filter((name) => !typos.has(name) && !/_(TRIPPED|EXCEEDED|INVALID|UNAVAILABLE|UNSUPPORTED)$/.test(name)),
    );
    expect(documented).toContain('COSTCTL_DAILY_LIMIT_USD');
    const warnings: string[] = [];
    loadConfig({ cwd: dir(), env: Object.fromEntries([...documented].map((name) => [name, ''])), onWarning: (message) => warnings.push(message) });
    expect(warnings).toEqual([]);
  });
});
