import { context, type ContextManager } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createRequire } from 'node:module';
import { logger } from '../model/logger.js';

type ContextApi = typeof context;
type Register = ContextApi['setGlobalContextManager'];

/** Where every copy of `@opentelemetry/api` 1.x keeps its globals. */
const registryKey = Symbol.for('opentelemetry.js.api.1');

/** The context manager registered for the whole process, whichever copy of the API registered it. */
function registeredManager(): ContextManager | undefined {
  return (globalThis as { [registryKey]?: { context?: ContextManager } })[registryKey]?.context;
}

/**
 * Baggage labels need an OpenTelemetry context manager, a global the app's
 * own SDK will want. An app that has one keeps it and costctl reads through
 * it. An app with none is lent one, until it registers its own: then the
 * lent one steps aside inside that very call, so the app's registration is
 * never refused ("Attempted duplicate registration of API: context") and
 * the manager it passes is the one in effect. Returns a function that gives
 * the slot back.
 *
 * @example
 * const giveBack = lendContextManager(); // before the app's code runs
 * // … new NodeSDK({ contextManager }).start() registers the app's own …
 * giveBack(); // at shutdown
 */
export function lendContextManager(): () => void {
  if (registeredManager() !== undefined) return () => {};
  const lent = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(lent)) return () => void lent.disable();

  // The ESM and the CommonJS builds of the API are separate singletons sharing one registry: the app may use either.
  const apis = new Set<ContextApi>([context, createRequire(import.meta.url)('@opentelemetry/api').context as ContextApi]);
  const registers = new Map<ContextApi, Register>();
  let lending = true;

  const giveBack = () => {
    if (!lending) return;
    lending = false;
    for (const [api, register] of registers) if (api.setGlobalContextManager === register) delete (api as Partial<ContextApi>).setGlobalContextManager;
    if (registeredManager() === lent) context.disable();
  };

  for (const api of apis) {
    const original = api.setGlobalContextManager;
    // An own property shadowing the prototype's method: deleting it restores the API as it was.
    const register: Register = function setGlobalContextManager(manager: ContextManager): boolean {
      giveBack();
      const registered = original.call(api, manager);
      if (registered) {
        logger.debug("costctl's context manager stepped aside for the app's own; baggage labels are read through it");
      } else {
        const kept = context.setGlobalContextManager(lent.enable());
        logger.warn(
          `the app's OpenTelemetry context manager could not be registered (another version of @opentelemetry/api?): ${
            kept ? 'costctl keeps lending its own, so baggage labels still reach metrics' : 'baggage labels cannot reach metrics'
          }`,
        );
      }
      return registered;
    };
    registers.set(api, register);
    api.setGlobalContextManager = register;
  }
  return giveBack;
}
