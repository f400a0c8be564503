import type { CostctlConfig } from '../config/schema.js';
import { ConfigError } from '../model/errors.js';
import { logger } from '../model/logger.js';
import { DeferredStore } from './deferred.js';
import { FileStore } from './file.js';
import { MemoryStore } from './memory.js';
import type { CostStore } from './types.js';

/** The package of the Redis store: loaded only when configured, never a dependency of this one. */
const REDIS_STORE_PACKAGE = '@costctl/store-redis';

/** The store the configuration names. */
export function openStore(config: CostctlConfig): CostStore {
  switch (config.store) {
    case 'memory':
      return new MemoryStore();
    case 'file':
      return new FileStore(config.stateDir);
    case 'redis':
      return openRedisStore(config);
  }
}

function openRedisStore(config: CostctlConfig): CostStore {
  let resolved: string;
  try {
    resolved = import.meta.resolve(REDIS_STORE_PACKAGE);
  } catch {
    throw new ConfigError(
      [
        {
          key: 'COSTCTL_STORE',
          value: 'redis',
          expected: `the ${REDIS_STORE_PACKAGE} package installed beside @costctl/otel (npm install ${REDIS_STORE_PACKAGE})`,
        },
      ],
      'environment',
    );
  }
  // The app's logger may be set after the store opens: always write to the current one.
  const log = {
    debug: (message: string, fields?: Record<string, unknown>) => logger.debug(message, fields),
    info: (message: string, fields?: Record<string, unknown>) => logger.info(message, fields),
    warn: (message: string, fields?: Record<string, unknown>) => logger.warn(message, fields),
    error: (message: string, fields?: Record<string, unknown>) => logger.error(message, fields),
  };
  const load = import(resolved).then(
    (module: { RedisStore: new (options: object) => CostStore }) =>
      new module.RedisStore({ ...config.redis, onUnreachable: config.onStoreUnreachable, logger: log }),
  );
  return new DeferredStore(load);
}
