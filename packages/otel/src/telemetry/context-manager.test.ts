import { context, createContextKey, ROOT_CONTEXT, type ContextManager } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLogger, setLogger } from '../model/logger.js';
import { lendContextManager } from './context-manager.js';

const key = createContextKey('probe');
const registryKey = Symbol.for('opentelemetry.js.api.1');
const registry = () => (globalThis as unknown as Record<symbol, { context?: ContextManager; version: string } | undefined>)[registryKey];
/** Whether a value set with `context.with` is seen inside it and after an await: a manager is in effect. */
const carries = () => context.with(ROOT_CONTEXT.setValue(key, 'yes'), async () => (await Promise.resolve(), context.active().getValue(key)));

const warnings: string[] = [];
setLogger({ ...jsonLogger('silent'), warn: (message: string) => void warnings.push(message) });
afterEach(() => {
  warnings.length = 0;
  context.disable();
});

describe('the context manager costctl lends for baggage labels', () => {
  it('is lent when the app has none, and steps aside when the app registers its own', async () => {
    const giveBack = lendContextManager();
    expect(await carries()).toBe('yes');
    const lent = registry()?.context;

    const own = new AsyncLocalStorageContextManager().enable();
    expect(context.setGlobalContextManager(own)).toBe(true);
    expect(registry()?.context).toBe(own);
    expect(lent).not.toBe(own);
    expect(Object.hasOwn(context, 'setGlobalContextManager')).toBe(false);
    expect(await carries()).toBe('yes');
    expect(warnings).toEqual([]);

    // Giving back after the app took over leaves the app's manager alone.
    giveBack();
    expect(registry()?.context).toBe(own);
  });

  it("is not lent when the app registered its own first: costctl reads through the app's", () => {
    const own = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(own);
    lendContextManager()();
    expect(registry()?.context).toBe(own);
    expect(Object.hasOwn(context, 'setGlobalContextManager')).toBe(false);
  });

  it('is given back at shutdown, leaving the API as it was', async () => {
    lendContextManager()();
    expect(registry()?.context).toBeUndefined();
    expect(Object.hasOwn(context, 'setGlobalContextManager')).toBe(false);
    expect(await carries()).toBeUndefined();
  });

  it("says so when the app's manager still cannot be registered, and keeps baggage labels working if it can", async () => {
    const giveBack = lendContextManager();
    const lent = registry()!.context;
    // Another version of the API made the registry the app registers into: it refuses the app's manager.
    const original = registry()!;
    const other = { version: '1.9.0', context: lent };
    (globalThis as unknown as Record<symbol, unknown>)[registryKey] = other;
    try {
      expect(context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())).toBe(false);
      expect(warnings).toEqual([
        "the app's OpenTelemetry context manager could not be registered (another version of @opentelemetry/api?): baggage labels cannot reach metrics",
      ]);
    } finally {
      (globalThis as unknown as Record<symbol, unknown>)[registryKey] = original;
      giveBack();
    }
  });
});
