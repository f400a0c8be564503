// The reference tables of docs/configuration.md, generated from the code:
// config keys from the zod schema (its descriptions, types and allowed
// values), environment variables from what loadConfig really reads, each
// matched to the config key it sets by setting it and seeing what changes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { cell } from './doc-sections.mjs';

export const ENV_START = '<!-- env:start -->';
export const ENV_END = '<!-- env:end -->';
export const KEYS_START = '<!-- keys:start -->';
export const KEYS_END = '<!-- keys:end -->';

/**
 * Variables costctl reads that set no config key: what each one does. A
 * variable read without a key and missing here, or listed here and no longer
 * read, fails the generator.
 */
const withoutKey = {
  COSTCTL_CONFIG:
    'Path of the config file (JSON; YAML when it ends `.yaml`/`.yml`). Unset: `costctl.config.json`, `.yaml` or `.yml` in the working directory, if there is one',
  COSTCTL_OPENAI_ADMIN_URL:
    "Base URL of OpenAI's organization usage and cost API for `costctl reconcile` (default `https://api.openai.com/v1`; proxies, tests)",
  COSTCTL_ANTHROPIC_ADMIN_URL:
    "Base URL of Anthropic's usage and cost report API for `costctl reconcile` (default `https://api.anthropic.com`; proxies, tests)",
};

/** Names of the entries of a map (a zod record) in a key's path, by the path of the map. */
const mapEntryNames = { prices: ['<provider>', '<model>'], credits: ['<provider>'], 'rules[].scope': ['<dimension>'] };

/** Values tried on each variable until one is accepted and changes the resolved config. */
function candidates(schema) {
  const values = new Set([
    'tenant',
    'Europe/Paris',
    'openai=http://127.0.0.1:8080/v1',
    'redis://127.0.0.1:6379',
    'http://127.0.0.1:8080/alerts',
    '0.5',
    '7',
    'true',
    'false',
  ]);
  const visit = (node) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node.enum)) for (const value of node.enum) values.add(String(value));
    for (const child of Object.values(node)) visit(child);
  };
  visit(schema);
  return [...values];
}

/** Leaf paths (dotted; arrays compared whole) where `a` and `b` differ. */
function changedPaths(a, b, prefix = '') {
  if (Array.isArray(a) || Array.isArray(b) || a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((key) => changedPaths(a[key], b[key], prefix === '' ? key : `${prefix}.${key}`));
}

function at(object, path) {
  return path.split('.').reduce((value, key) => (value === undefined || value === null ? undefined : value[key]), object);
}

/**
 * Every environment variable costctl reads, with the config key it sets (or
 * the rule it adds), its default and its meaning.
 *
 * @example
 * environmentRows({ loadConfig, variablesReadElsewhere, jsonSchema })
 */
export function environmentRows({ loadConfig, variablesReadElsewhere, jsonSchema }) {
  const cwd = mkdtempSync(join(tmpdir(), 'costctl-config-docs-'));
  const asked = new Set();
  const env = new Proxy({}, { get: (_target, key) => (typeof key === 'string' && asked.add(key), undefined) });
  const baseline = loadConfig({ env, cwd });
  const names = [...asked, ...variablesReadElsewhere].filter((name) => /^(COSTCTL|OTEL)_/.test(name));
  const tries = candidates(jsonSchema);
  const keyDescriptions = describedKeys(jsonSchema);

  const rows = names.map((name) => {
    for (const value of tries) {
      let config;
      try {
        config = loadConfig({ env: { [name]: value }, cwd });
      } catch {
        continue;
      }
      const changed = changedPaths(baseline, config);
      if (changed.length === 0) continue;
      if (changed.length === 1 && changed[0] === 'rules' && config.rules.length === 1) {
        const rule = config.rules[0];
        return {
          name,
          key: undefined,
          default: '—',
          meaning: `One rule \`${rule.name}\`: a limit in \`${rule.unit}\` per \`${rule.window}\`, with the default levels and action (\`onExceed\`)`,
        };
      }
      if (changed.length !== 1) throw new Error(`${name} changes ${changed.join(', ')}: the reference expects one key per variable`);
      const key = changed[0];
      const meaning = keyDescriptions.get(key);
      if (meaning === undefined) throw new Error(`${name} sets ${key}, which the schema does not describe: add .describe() to it`);
      return { name, key, default: shown(key === 'stateDir' ? relative(cwd, baseline.stateDir) : at(baseline, key)), meaning };
    }
    if (withoutKey[name] === undefined) throw new Error(`${name} is read by costctl but sets no config key: say what it does in scripts/config-reference.mjs`);
    return { name, key: undefined, default: '—', meaning: withoutKey[name] };
  });
  for (const name of Object.keys(withoutKey)) {
    if (!names.includes(name)) throw new Error(`${name} is documented in scripts/config-reference.mjs but costctl no longer reads it`);
  }
  return rows.sort((a, b) => order(a.name) - order(b.name) || a.name.localeCompare(b.name));
}

/** COSTCTL_ variables before OTel's own. */
function order(name) {
  return name.startsWith('OTEL_') ? 1 : 0;
}

function shown(value) {
  if (value === undefined || value === null) return '—';
  if (Array.isArray(value)) return value.length === 0 ? '—' : `\`${value.join(',')}\``;
  return `\`${value}\``;
}

/** The markdown table of `environmentRows`. */
export function renderEnvironmentTable(rows) {
  const lines = ['| variable | config key | default | meaning |', '|---|---|---|---|'];
  for (const row of rows) lines.push(`| \`${row.name}\` | ${row.key === undefined ? '—' : `\`${row.key}\``} | ${row.default} | ${cell(row.meaning)} |`);
  return lines.join('\n');
}

/** Each key path of the schema (`rules[].window`, `prices.<provider>.<model>.input`) with its JSON Schema node. */
function keyNodes(schema) {
  const out = [];
  const walk = (node, path, pathPattern) => {
    if (node.type === 'object' && node.properties !== undefined) {
      for (const [key, child] of Object.entries(node.properties)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        const childPattern = pathPattern === '' ? key : `${pathPattern}.${key}`;
        out.push({ path: childPath, pattern: childPattern, node: child });
        walk(child, childPath, childPattern);
      }
    } else if (node.type === 'array' && node.items?.type === 'object') {
      walk(node.items, `${path}[]`, `${pathPattern}[]`);
    } else if (node.type === 'object' && typeof node.additionalProperties === 'object') {
      let inner = node;
      let innerPath = path;
      for (const name of mapEntryNames[pathPattern] ?? ['<name>']) {
        if (inner.type !== 'object' || typeof inner.additionalProperties !== 'object') break;
        inner = inner.additionalProperties;
        innerPath = `${innerPath}.${name}`;
      }
      if (inner !== node && inner.type === 'object' && inner.properties !== undefined) walk(inner, innerPath, pathPattern);
    }
  };
  walk(schema, '', '');
  return out;
}

/** The description of every key path, by the path its resolved config value has (no `[]`, no `<…>`). */
function describedKeys(schema) {
  return new Map(
    keyNodes(schema)
      .filter(({ path }) => !/[[<]/.test(path))
      .map(({ path, node }) => [path, description(node)]),
  );
}

function description(node) {
  return node.description ?? node.items?.description ?? node.additionalProperties?.description;
}

function typeOf(node) {
  if (Array.isArray(node.enum)) return node.enum.map((value) => `\`${value}\``).join(', ');
  if (node.anyOf !== undefined) return [...new Set(node.anyOf.map(typeOf))].join(' or ');
  if (node.type === 'array') return `list of ${node.items?.type === 'object' ? 'objects' : typeOf(node.items)}`;
  if (node.type === 'object') return typeof node.additionalProperties === 'object' ? 'map' : 'object';
  if (node.type === 'string' && node.format === 'date') return 'date';
  if (node.type === 'string' && node.format === 'date-time') return 'date-time';
  return node.type ?? 'any';
}

/**
 * One row per config-file key: its path, type, default, the variable that
 * also sets it, and the schema's description of it.
 */
export function keyRows({ jsonSchema, environment, defaults }) {
  const envByKey = new Map(environment.filter((row) => row.key !== undefined).map((row) => [row.key, row.name]));
  return keyNodes(jsonSchema).map(({ path, node }) => {
    const meaning = description(node);
    if (meaning === undefined) throw new Error(`config key ${path} has no description: add .describe() to it in the zod schema`);
    const fallback = /[[<]/.test(path) ? undefined : at(defaults, path);
    const value = node.default ?? (typeof fallback === 'object' && !Array.isArray(fallback) ? undefined : fallback);
    return { path, type: typeOf(node), default: shown(value), variable: envByKey.get(path), meaning };
  });
}

/** The markdown table of `keyRows`. */
export function renderKeyTable(rows) {
  const lines = ['| key | type | default | variable | meaning |', '|---|---|---|---|---|'];
  for (const row of rows) {
    lines.push(
      `| \`${row.path}\` | ${cell(row.type)} | ${cell(row.default)} | ${row.variable === undefined ? '' : `\`${row.variable}\``} | ${cell(row.meaning)} |`,
    );
  }
  return lines.join('\n');
}
