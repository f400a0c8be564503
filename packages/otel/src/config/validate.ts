import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { ConfigIssue } from '../model/errors.js';
import { nearest } from './nearest.js';
import { configSchemas, type ConfigSchemas, type FileConfig } from './schema.js';

let schemas: ConfigSchemas | undefined;

/**
 * The config file's schemas, built at the first config file or overrides to
 * validate: an app configured by its environment alone never loads zod. Its
 * ES module build, loaded synchronously (start-up is), is the one instance
 * an app that imports zod itself already holds.
 */
function loadSchemas(): ConfigSchemas {
  schemas ??= configSchemas((createRequire(import.meta.url)(fileURLToPath(import.meta.resolve('zod'))) as typeof import('zod')).z);
  return schemas;
}

/**
 * A config file's (or the programmatic overrides') settings, checked against
 * the schema: every bad key becomes one issue named after its `source`, and
 * nothing of an invalid input is used.
 *
 * @example
 * validateFileConfig({ store: 'sqlite' }, 'costctl.config.json', issues) // {}, and issues names store
 */
export function validateFileConfig(raw: unknown, source: string, issues: ConfigIssue[]): FileConfig {
  const { fileConfigSchema } = loadSchemas();
  const result = fileConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  for (const issue of result.error.issues) issues.push(...toIssues(issue, raw, source));
  return {};
}
function toIssues(issue: z.core.$ZodIssue, raw: unknown, source: string): ConfigIssue[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path);
    return issue.keys.map((key) => ({
      key: `${source}: ${[...path, key].join('.')}`,
      value: lookup(raw, [...issue.path, key]),
      expected: knownKey(key, allowed),
    }));
  }
  const expected = issue.message.replace(/^(Invalid input|Invalid option|Too small|Too big): /, '').replace(/^expected /, '');
  return [{ key: `${source}: ${path.join('.') || '(root)'}`, value: lookup(raw, issue.path), expected }];
}

/** What an unknown key should have been: the nearest known one, or the few allowed there. */
function knownKey(key: string, allowed: readonly string[]): string {
  const meant = nearest(key, allowed);
  if (meant !== undefined) return `a key the file knows: did you mean ${meant}?`;
  return allowed.length > 0 && allowed.length <= 8
    ? `a key the file knows (here: ${allowed.join(', ')})`
    : 'a key the file knows (config.schema.json lists them)';
}

function allowedKeys(path: string[]): string[] {
  let schema: z.ZodType = loadSchemas().fileConfigSchema;
  for (const part of path) {
    // An index into a list (meters.0): the list's schema is already unwrapped to its item's.
    if (/^\d+$/.test(part)) continue;
    const shape = (schema as { shape?: Record<string, z.ZodType> }).shape;
    const next = shape?.[part];
    if (next === undefined) return [];
    schema = unwrap(next);
  }
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  const inner = (schema as { unwrap?: () => z.ZodType }).unwrap;
  return typeof inner === 'function' ? unwrap(inner.call(schema)) : schema;
}

function lookup(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}
