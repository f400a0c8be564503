import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../model/errors.js';
import { providerNames } from '../model/provider-names.js';
import { isValidTimeZone } from '../model/windows.js';
import { readEnv, variablesReadElsewhere } from './env.js';
import { nearest } from './nearest.js';
import { defaultConfig, type CostctlConfig, type FileConfig, type RuleConfig, type RuleInput } from './schema.js';
import { validateFileConfig } from './validate.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Looked for in the working directory, in this order, when COSTCTL_CONFIG is unset. */
export const defaultFileNames = ['costctl.config.json', 'costctl.config.yaml', 'costctl.config.yml'];

export interface LoadOptions {
  env?: Env;
  cwd?: string;
  /** Overrides applied last, from the programmatic API. */
  overrides?: FileConfig;
  /** Told of what is not wrong enough to stop start-up: an unknown `COSTCTL_*` variable. */
  onWarning?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Resolves the configuration: defaults, then the config file, then the
 * environment, then programmatic overrides. Every bad value in any source is
 * reported at once in one `ConfigError`; nothing falls back silently.
 *
 * @example
 * const config = loadConfig({ env: process.env });
 */
export function loadConfig(options: LoadOptions = {}): CostctlConfig {
  const asked = new Set<string>();
  const env = watched(options.env ?? process.env, asked);
  const cwd = options.cwd ?? process.cwd();
  const issues: ConfigIssue[] = [];

  const file = readConfigFile(env, cwd, issues);
  const fromEnv = readEnv(env);
  issues.push(...fromEnv.issues);
  const overrides = options.overrides === undefined ? {} : validateFileConfig(options.overrides, 'options', issues);

  const merged = merge(merge(merge(defaultConfig, file.config), fromEnv.config), overrides);
  merged.stateDir = resolve(cwd, merged.stateDir);
  merged.rules = resolveRules([file.config.rules, fromEnv.rules, overrides.rules], merged, issues);
  merged.rules.push(...creditRules({ ...file.config.credits, ...overrides.credits }, merged, issues));
  if (!isValidTimeZone(merged.timezone)) {
    issues.push({ key: 'COSTCTL_TIMEZONE', value: merged.timezone, expected: 'an IANA time zone such as UTC, Europe/Paris or America/New_York' });
  }
  if (merged.store === 'redis' && merged.redis.url === undefined) {
    issues.push({
      key: 'COSTCTL_REDIS_URL',
      value: '',
      expected: 'a redis:// or rediss:// URL: COSTCTL_STORE=redis needs one (or redis.url in the config file)',
    });
  }
  for (const [index, endpoint] of merged.endpoints.entries()) {
    if (!providerNames.includes(endpoint.provider)) {
      issues.push({
        key: `endpoints[${index}].provider`,
        value: endpoint.provider,
        expected: `one of ${providerNames.join(', ')}`,
      });
    }
  }

  if (issues.length > 0) throw new ConfigError(issues, file.path ?? 'environment');
  if (options.onWarning !== undefined) warnUnknownVariables(options.env ?? process.env, asked, options.onWarning);
  return merged;
}

/** The environment, noting every variable costctl asks for: the names it knows are the ones it reads. */
function watched(env: Env, asked: Set<string>): Env {
  return new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') asked.add(key);
      return Reflect.get(target, key);
    },
  });
}

/** A `COSTCTL_*` variable nothing reads is a typo or a stale name: say so, with the name it is nearest. */
function warnUnknownVariables(env: Env, asked: ReadonlySet<string>, warn: NonNullable<LoadOptions['onWarning']>): void {
  const known = [...asked, ...variablesReadElsewhere].filter((name) => name.startsWith('COSTCTL_'));
  for (const name of Object.keys(env)) {
    if (!/^costctl_/i.test(name) || asked.has(name) || variablesReadElsewhere.includes(name)) continue;
    const meant = nearest(name, known);
    warn(
      meant === undefined
        ? `costctl ignores ${name}: no costctl setting has that name (docs/configuration.md lists them)`
        : `costctl ignores ${name}: no costctl setting has that name; did you mean ${meant}?`,
      { variable: name, ...(meant === undefined ? {} : { suggestion: meant }) },
    );
  }
}

/**
 * The rules of every source, later sources replacing earlier rules of the
 * same name, with the defaults filled in and checked against each other.
 */
function resolveRules(sources: (RuleInput[] | undefined)[], config: CostctlConfig, issues: ConfigIssue[]): RuleConfig[] {
  const byName = new Map<string, RuleInput>();
  for (const rule of sources.flat()) if (rule) byName.set(rule.name, rule);
  const scopeKeys = new Set(['provider', 'model', ...config.labels]);
  return [...byName.values()].map((rule) => {
    const resolved: RuleConfig = {
      name: rule.name,
      limit: rule.limit,
      unit: rule.unit ?? 'usd',
      window: rule.window,
      scope: rule.scope ?? {},
      warnAt: rule.warnAt ?? config.warnAt,
      criticalAt: rule.criticalAt ?? config.criticalAt,
      action: rule.action ?? config.onExceed,
    };
    if (resolved.warnAt >= resolved.criticalAt) {
      issues.push({ key: `rules.${rule.name}.warnAt`, value: resolved.warnAt, expected: `less than criticalAt (${resolved.criticalAt})` });
    }
    for (const key of Object.keys(resolved.scope)) {
      if (!scopeKeys.has(key)) {
        issues.push({
          key: `rules.${rule.name}.scope`,
          value: key,
          expected: `provider, model, or a label listed in COSTCTL_LABELS (${config.labels.join(', ') || 'none listed'})`,
        });
      }
    }
    return resolved;
  });
}

/** Each prepaid balance as the rule it is: its provider's USD spend since it was bought, against the balance. */
function creditRules(credits: NonNullable<FileConfig['credits']>, config: CostctlConfig, issues: ConfigIssue[]): RuleConfig[] {
  return Object.entries(credits).map(([provider, credit]) => {
    const name = `credits_${provider}`;
    if (!providerNames.includes(provider))
      issues.push({ key: `credits.${provider}`, value: provider, expected: `a provider: one of ${providerNames.join(', ')}` });
    if (config.rules.some((rule) => rule.name === name))
      issues.push({ key: `rules.${name}`, value: name, expected: `another rule name: ${name} is the rule of credits.${provider}` });
    const rule: RuleConfig = {
      name,
      limit: credit.balance,
      unit: 'usd',
      window: 'total',
      scope: { provider },
      warnAt: credit.warnAt ?? config.warnAt,
      criticalAt: credit.criticalAt ?? config.criticalAt,
      action: credit.action ?? 'block',
      credits: {
        provider,
        since: credit.since === undefined ? undefined : Date.parse(credit.since.length === 10 ? `${credit.since}T00:00:00Z` : credit.since),
      },
    };
    if (rule.warnAt >= rule.criticalAt)
      issues.push({ key: `credits.${provider}.warnAt`, value: rule.warnAt, expected: `less than criticalAt (${rule.criticalAt})` });
    return rule;
  });
}

function readConfigFile(env: Env, cwd: string, issues: ConfigIssue[]): { config: FileConfig; path?: string } {
  const explicit = env.COSTCTL_CONFIG?.trim();
  const path = explicit ? resolve(cwd, explicit) : defaultFileNames.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate));
  if (path === undefined) return { config: {} };

  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    issues.push({ key: 'COSTCTL_CONFIG', value: explicit, expected: `a readable file (${describe(error)})` });
    return { config: {}, path };
  }

  let raw: unknown;
  const yaml = /\.ya?ml$/i.test(path);
  try {
    raw = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    issues.push(syntaxIssue(path, text, yaml ? 'YAML' : 'JSON', error));
    return { config: {}, path };
  }
  return { config: validateFileConfig(raw ?? {}, path, issues), path };
}

/**
 * A file that does not parse, as `file:line:column` with the text of that
 * line and the parser's reason in one line (the parsers' own messages span
 * several lines, or give only a character offset).
 */
function syntaxIssue(path: string, text: string, format: 'YAML' | 'JSON', error: unknown): ConfigIssue {
  const message = describe(error);
  const linePos = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
  const offset = /at position (\d+)/.exec(message);
  // JSON.parse gives no position for a file cut short: the error is just after its last character.
  const at = linePos ?? position(text, offset === null ? text.trimEnd().length : Number(offset[1]));
  const reason = message
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/:$/, '');
  return { key: `${path}:${at.line}:${at.col}`, value: text.split(/\r?\n/)[at.line - 1] ?? '', expected: `valid ${format}: ${reason}` };
}

/** 1-based line and column of a character offset. */
function position(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

/**
 * YAML is parsed by the `yaml` package, loaded only for a YAML file: an app
 * configured by its environment or a JSON file never holds its ~0.9 MB of
 * heap. `require` gives the same module an `import` would (its Node entry
 * is CommonJS), synchronously, as start-up is.
 */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function merge(base: CostctlConfig, layer: FileConfig): CostctlConfig {
  return {
    disabled: layer.disabled ?? base.disabled,
    endpoints: layer.endpoints ?? base.endpoints,
    labels: layer.labels ?? base.labels,
    prices: mergePrices(base.prices, layer.prices),
    meters: layer.meters ?? base.meters,
    metrics: {
      exporters: layer.metrics?.exporters ?? base.metrics.exporters,
      prometheus: {
        host: layer.metrics?.prometheus?.host ?? base.metrics.prometheus.host,
        port: layer.metrics?.prometheus?.port ?? base.metrics.prometheus.port,
      },
      exportIntervalMillis: layer.metrics?.exportIntervalMillis ?? base.metrics.exportIntervalMillis,
      exportTimeoutMillis: layer.metrics?.exportTimeoutMillis ?? base.metrics.exportTimeoutMillis,
    },
    logLevel: layer.logLevel ?? base.logLevel,
    timezone: layer.timezone ?? base.timezone,
    rules: base.rules,
    warnAt: layer.warnAt ?? base.warnAt,
    criticalAt: layer.criticalAt ?? base.criticalAt,
    onExceed: layer.onExceed ?? base.onExceed,
    blockMode: layer.blockMode ?? base.blockMode,
    unknownModel: layer.unknownModel ?? base.unknownModel,
    alertWebhook: layer.alertWebhook ?? base.alertWebhook,
    currency: layer.currency ?? base.currency,
    reconcile: { tolerance: layer.reconcile?.tolerance ?? base.reconcile.tolerance },
    store: layer.store ?? base.store,
    redis: {
      url: layer.redis?.url ?? base.redis.url,
      cluster: layer.redis?.cluster ?? base.redis.cluster,
      keyPrefix: layer.redis?.keyPrefix ?? base.redis.keyPrefix,
      timeoutMillis: layer.redis?.timeoutMillis ?? base.redis.timeoutMillis,
      gateRefreshMillis: layer.redis?.gateRefreshMillis ?? base.redis.gateRefreshMillis,
    },
    onStoreUnreachable: layer.onStoreUnreachable ?? base.onStoreUnreachable,
    stateDir: layer.stateDir ?? base.stateDir,
    ledger: layer.ledger ?? base.ledger,
    abortOnTrip: layer.abortOnTrip ?? base.abortOnTrip,
    defaultMaxOutputTokens: layer.defaultMaxOutputTokens ?? base.defaultMaxOutputTokens,
    reservationLeaseMillis: layer.reservationLeaseMillis ?? base.reservationLeaseMillis,
    evaluationIntervalMillis: layer.evaluationIntervalMillis ?? base.evaluationIntervalMillis,
    priceDataMaxAgeDays: layer.priceDataMaxAgeDays ?? base.priceDataMaxAgeDays,
  };
}

function mergePrices(base: CostctlConfig['prices'], layer: FileConfig['prices']): CostctlConfig['prices'] {
  if (layer === undefined) return base;
  const merged: CostctlConfig['prices'] = { ...base };
  for (const [provider, models] of Object.entries(layer)) merged[provider] = { ...merged[provider], ...models };
  return merged;
}
