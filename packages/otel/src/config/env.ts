import type { ConfigIssue } from '../model/errors.js';
import { logLevels } from '../model/logger.js';
import { blockModes, exporters as exporterNames, isOneOf, LABEL_KEY, ruleActions, storeKinds, unknownModelModes, unreachableModes } from './options.js';
import type { Exporter, FileConfig, RuleInput } from './schema.js';

/** The env shorthands (docs/configuration.md), each one rule. */
const shorthands = [
  ['COSTCTL_DAILY_LIMIT_USD', { name: 'daily_usd', unit: 'usd', window: 'day' }],
  ['COSTCTL_MONTHLY_LIMIT_USD', { name: 'monthly_usd', unit: 'usd', window: 'month' }],
  ['COSTCTL_TOTAL_LIMIT_USD', { name: 'total_usd', unit: 'usd', window: 'total' }],
  ['COSTCTL_MAX_REQUESTS_PER_MINUTE', { name: 'requests_per_minute', unit: 'requests', window: 'minute' }],
  ['COSTCTL_MAX_REQUESTS_PER_HOUR', { name: 'requests_per_hour', unit: 'requests', window: 'hour' }],
  ['COSTCTL_MAX_REQUESTS_PER_DAY', { name: 'requests_per_day', unit: 'requests', window: 'day' }],
] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** costctl variables the SDK does not read: the CLI's `reconcile` does. */
export const variablesReadElsewhere: readonly string[] = ['COSTCTL_OPENAI_ADMIN_URL', 'COSTCTL_ANTHROPIC_ADMIN_URL'];

/**
 * Reads the environment variables costctl knows into the config-file shape.
 * Each bad value becomes an issue named after its variable, so the user
 * sees `COSTCTL_ENDPOINTS=…`, not an internal path.
 */
export function readEnv(env: Env): { config: FileConfig; rules: RuleInput[]; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const config: FileConfig = {};
  const rules: RuleInput[] = [];
  const value = (key: string): string | undefined => {
    const raw = env[key]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };

  for (const [key, field] of [
    ['COSTCTL_DISABLED', 'disabled'],
    ['COSTCTL_LEDGER', 'ledger'],
    ['COSTCTL_ABORT_ON_TRIP', 'abortOnTrip'],
  ] as const) {
    const raw = value(key);
    if (raw === undefined) continue;
    const parsed = parseBoolean(raw);
    if (parsed === undefined) issues.push({ key, value: raw, expected: 'true or false' });
    else config[field] = parsed;
  }
  const stateDir = value('COSTCTL_STATE_DIR');
  if (stateDir !== undefined) config.stateDir = stateDir;

  const endpoints = value('COSTCTL_ENDPOINTS');
  if (endpoints !== undefined) {
    config.endpoints = [];
    for (const pair of splitList(endpoints)) {
      const at = pair.indexOf('=');
      const provider = pair.slice(0, at).trim();
      const baseUrl = pair.slice(at + 1).trim();
      if (at <= 0 || !isHttpUrl(baseUrl)) {
        issues.push({
          key: 'COSTCTL_ENDPOINTS',
          value: pair,
          expected: 'comma-separated provider=baseURL pairs, e.g. openai=http://127.0.0.1:8080/v1',
        });
      } else {
        config.endpoints.push({ provider, baseUrl });
      }
    }
  }

  const labels = value('COSTCTL_LABELS');
  if (labels !== undefined) {
    config.labels = splitList(labels);
    for (const label of config.labels) {
      if (!LABEL_KEY.test(label)) {
        issues.push({
          key: 'COSTCTL_LABELS',
          value: label,
          expected: 'comma-separated baggage keys: letters, digits and _, not starting with a digit',
        });
      }
    }
  }

  const exporters = value('OTEL_METRICS_EXPORTER');
  if (exporters !== undefined) {
    const names = splitList(exporters);
    const bad = names.filter((name) => !isOneOf(exporterNames, name));
    if (bad.length > 0 || names.length === 0) {
      issues.push({
        key: 'OTEL_METRICS_EXPORTER',
        value: exporters,
        expected: `a comma-separated list of ${exporterNames.join(', ')}`,
      });
    } else {
      config.metrics = { exporters: names as Exporter[] };
    }
  }

  const host = value('OTEL_EXPORTER_PROMETHEUS_HOST');
  const port = value('OTEL_EXPORTER_PROMETHEUS_PORT');
  if (host !== undefined || port !== undefined) {
    const prometheus: { host?: string; port?: number } = {};
    if (host !== undefined) prometheus.host = host;
    if (port !== undefined) {
      const parsed = Number(port);
      if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65535) {
        issues.push({ key: 'OTEL_EXPORTER_PROMETHEUS_PORT', value: port, expected: 'a port number from 1 to 65535' });
      } else {
        prometheus.port = parsed;
      }
    }
    config.metrics = { ...config.metrics, prometheus };
  }

  for (const [key, field] of [
    ['OTEL_METRIC_EXPORT_INTERVAL', 'exportIntervalMillis'],
    ['OTEL_METRIC_EXPORT_TIMEOUT', 'exportTimeoutMillis'],
  ] as const) {
    const raw = value(key);
    if (raw === undefined) continue;
    const millis = Number(raw);
    if (!Number.isInteger(millis) || millis <= 0) issues.push({ key, value: raw, expected: 'a whole number of milliseconds above 0' });
    else config.metrics = { ...config.metrics, [field]: millis };
  }

  const logLevel = value('COSTCTL_LOG_LEVEL');
  if (logLevel !== undefined) {
    const parsed = logLevel.toLowerCase();
    if (isOneOf(logLevels, parsed)) config.logLevel = parsed;
    else issues.push({ key: 'COSTCTL_LOG_LEVEL', value: logLevel, expected: `one of ${logLevels.join(', ')}` });
  }

  for (const [key, rule] of shorthands) {
    const raw = value(key);
    if (raw === undefined) continue;
    const limit = Number(raw);
    if (!Number.isFinite(limit) || limit <= 0) issues.push({ key, value: raw, expected: 'a number above 0' });
    else rules.push({ ...rule, limit });
  }

  for (const [key, field] of [
    ['COSTCTL_WARN_AT', 'warnAt'],
    ['COSTCTL_CRITICAL_AT', 'criticalAt'],
  ] as const) {
    const raw = value(key);
    if (raw === undefined) continue;
    const fraction = Number(raw);
    if (!(fraction > 0 && fraction <= 1)) issues.push({ key, value: raw, expected: 'a fraction above 0 and at most 1, e.g. 0.7' });
    else config[field] = fraction;
  }

  const maxAge = value('COSTCTL_PRICE_DATA_MAX_AGE_DAYS');
  if (maxAge !== undefined) {
    const days = Number(maxAge);
    if (!Number.isInteger(days) || days < 0)
      issues.push({ key: 'COSTCTL_PRICE_DATA_MAX_AGE_DAYS', value: maxAge, expected: 'a whole number of days, 0 or more (0: never warn)' });
    else config.priceDataMaxAgeDays = days;
  }

  const redis = readRedisEnv(value, issues);
  if (redis !== undefined) config.redis = redis;

  const timezone = value('COSTCTL_TIMEZONE');
  if (timezone !== undefined) config.timezone = timezone;
  const webhook = value('COSTCTL_ALERT_WEBHOOK');
  if (webhook !== undefined) {
    if (isHttpUrl(webhook)) config.alertWebhook = webhook;
    else issues.push({ key: 'COSTCTL_ALERT_WEBHOOK', value: webhook, expected: 'an http(s) URL' });
  }
  const enums = [
    ['COSTCTL_ON_EXCEED', 'onExceed', ruleActions],
    ['COSTCTL_BLOCK_MODE', 'blockMode', blockModes],
    ['COSTCTL_STORE', 'store', storeKinds],
    ['COSTCTL_ON_STORE_UNREACHABLE', 'onStoreUnreachable', unreachableModes],
    ['COSTCTL_UNKNOWN_MODEL', 'unknownModel', unknownModelModes],
  ] as const;
  for (const [key, field, allowed] of enums) {
    const raw = value(key);
    if (raw === undefined) continue;
    const parsed = raw.toLowerCase();
    if (isOneOf(allowed, parsed)) Object.assign(config, { [field]: parsed });
    else issues.push({ key, value: raw, expected: `one of ${allowed.join(', ')}` });
  }

  return { config, rules, issues };
}

/** COSTCTL_REDIS_URL, COSTCTL_REDIS_CLUSTER, COSTCTL_REDIS_KEY_PREFIX and COSTCTL_REDIS_TIMEOUT_MS, when any is set. */
function readRedisEnv(value: (key: string) => string | undefined, issues: ConfigIssue[]): FileConfig['redis'] {
  const redis: NonNullable<FileConfig['redis']> = {};
  const url = value('COSTCTL_REDIS_URL');
  if (url !== undefined) {
    if (/^rediss?:\/\/[^/]/.test(url) && URL.canParse(url)) redis.url = url;
    else issues.push({ key: 'COSTCTL_REDIS_URL', value: redacted(url), expected: 'a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379' });
  }
  const cluster = value('COSTCTL_REDIS_CLUSTER');
  if (cluster !== undefined) {
    const parsed = parseBoolean(cluster);
    if (parsed !== undefined) redis.cluster = parsed;
    else issues.push({ key: 'COSTCTL_REDIS_CLUSTER', value: cluster, expected: 'true when COSTCTL_REDIS_URL names a Redis Cluster node, else false' });
  }
  const prefix = value('COSTCTL_REDIS_KEY_PREFIX');
  if (prefix !== undefined) redis.keyPrefix = prefix;
  const timeout = value('COSTCTL_REDIS_TIMEOUT_MS');
  if (timeout !== undefined) {
    const millis = Number(timeout);
    if (Number.isInteger(millis) && millis > 0) redis.timeoutMillis = millis;
    else issues.push({ key: 'COSTCTL_REDIS_TIMEOUT_MS', value: timeout, expected: 'a whole number of milliseconds above 0, e.g. 50' });
  }
  return Object.keys(redis).length > 0 ? redis : undefined;
}

/** A URL as it may be shown: never its password. */
function redacted(raw: string): string {
  return raw.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@');
}

function parseBoolean(raw: string): boolean | undefined {
  switch (raw.toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      return undefined;
  }
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function isHttpUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
