import * as otel from '@costctl/otel';
import { CostctlStoreError as StoreErrorOfStore } from '@costctl/otel/store';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A second copy of the built package, as when an app and a library each install their own.
type Errors = typeof import('@costctl/otel');
let copy: Errors;
let dir: string;

beforeAll(async () => {
  const dist = join(dirname(createRequire(import.meta.url).resolve('@costctl/otel')));
  dir = mkdtempSync(join(tmpdir(), 'costctl-copy-'));
  cpSync(join(dist, 'model'), join(dir, 'model'), { recursive: true, filter: (path) => !path.endsWith('.map') });
  copy = (await import(pathToFileURL(join(dir, 'model/errors.js')).href)) as Errors;
  expect(copy.CostctlError).not.toBe(otel.CostctlError);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const block = { code: 'COSTCTL_GATE_TRIPPED', rule: 'gate', spent: 0, limit: 0, reason: 'runaway loop' } as const;

describe('errors across two copies of @costctl/otel', () => {
  it('instanceof holds both ways for every error class', () => {
    const made = (errors: Errors) => ({
      CostctlBlockedError: new errors.CostctlBlockedError(block),
      CostctlStoreError: new errors.CostctlStoreError('the gate was NOT tripped: down', '/srv/.costctl'),
      ConfigError: new errors.ConfigError([{ key: 'COSTCTL_TIMEZONE', value: 'Mars', expected: 'an IANA time zone' }], 'environment'),
      CostctlArgumentError: new errors.CostctlArgumentError('bad argument'),
    });
    for (const [from, to] of [
      [copy, otel],
      [otel, copy],
    ] as const) {
      for (const [name, error] of Object.entries(made(from))) {
        expect(error instanceof to[name as keyof ReturnType<typeof made>], name).toBe(true);
        expect(error instanceof to.CostctlError, name).toBe(true);
        expect(to.isCostctlError(error), name).toBe(true);
      }
      expect(made(from).CostctlStoreError instanceof to.CostctlBlockedError).toBe(false);
      expect(made(from).CostctlBlockedError instanceof to.ConfigError).toBe(false);
    }
  });

  it("an error a store plugin throws through @costctl/otel/store is the app's CostctlStoreError in the other copy", () => {
    const error = new StoreErrorOfStore('could not read budgets: down', 'redis://localhost:6379');
    expect(error).toBeInstanceOf(copy.CostctlStoreError);
    expect(error).toBeInstanceOf(copy.CostctlError);
    expect(error instanceof copy.CostctlBlockedError).toBe(false);
    expect(new Error('plain') instanceof copy.CostctlError).toBe(false);
  });
});
