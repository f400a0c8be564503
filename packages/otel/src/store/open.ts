import type { CostctlConfig } from '../config/schema.js';
import { MemoryStore } from './memory.js';
import type { CostStore } from './types.js';

/** The store the configuration names. */
export function openStore(config: CostctlConfig): CostStore {
  switch (config.store) {
    case 'memory':
      return new MemoryStore();
    default:
      throw new TypeError(`the ${config.store} store is not available in this version`);
  }
}
