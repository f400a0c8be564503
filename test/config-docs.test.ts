import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../packages/otel/dist/index.js';
import { keyRows } from '../scripts/config-reference.mjs';
import { renderConfigurationPage } from '../scripts/build-config-docs.mjs';
import { repoRoot } from './helpers/run-app.js';

const page = () => readFileSync(join(repoRoot, 'docs/configuration.md'), 'utf8');

describe('docs/configuration.md', () => {
  it('has the variables and keys the code has (run npm run build:docs when this fails)', () => {
    const text = page();
    const expected = renderConfigurationPage(text);
    // Compare line by line first, so a failure shows the rows that differ.
    const lines = (doc: string) => doc.split('\n').filter((line) => line.startsWith('| `'));
    expect(lines(text)).toEqual(lines(expected));
    expect(text).toBe(expected);
  });

  it('lists every COSTCTL_ variable the loader reads, and the defaults it resolves', () => {
    const asked = new Set<string>();
    const env = new Proxy({}, { get: (_target, key) => (typeof key === 'string' && asked.add(key), undefined) });
    const defaults = loadConfig({ env, cwd: repoRoot });
    const text = page();
    for (const name of [...asked].filter((variable) => variable.startsWith('COSTCTL_'))) expect(text).toContain(`| \`${name}\` |`);
    expect(text).toContain(`| \`COSTCTL_REDIS_TIMEOUT_MS\` | \`redis.timeoutMillis\` | \`${defaults.redis.timeoutMillis}\` |`);
    expect(text).toContain(`| \`defaultMaxOutputTokens\` | integer | \`${defaults.defaultMaxOutputTokens}\` |`);
  });

  it('shows a config file that loads', () => {
    const example = /## The config file[\s\S]*?```json\n([\s\S]*?)```/.exec(page())?.[1];
    expect(example).toContain('"rules"');
    const path = join(mkdtempSync(join(tmpdir(), 'costctl-docs-')), 'costctl.config.json');
    writeFileSync(path, example!);
    const config = loadConfig({ env: { COSTCTL_CONFIG: path }, cwd: repoRoot });
    expect(config.rules.map((rule) => rule.name)).toEqual(['daily_usd']);
    expect(config.prices.openai?.['acme-llm-7b']?.input).toBe(0.5);
  });

  it('refuses a key the schema does not describe', () => {
    const jsonSchema = { type: 'object', properties: { secret: { type: 'boolean' } } };
    expect(() => keyRows({ jsonSchema, environment: [], defaults: {} })).toThrow(/config key secret has no description/);
  });
});
