import type { CostctlConfig } from '../config/schema.js';
import { FileStore } from './file.js';
import { MemoryStore } from './memory.js';
import type { CostStore } from './types.js';

/** The store the configuration names. */
export function openStore(config: CostctlConfig): CostStore {
  switch (config.store) {
    case 'memory':
      return new MemoryStore();
    case 'file':
      return new FileStore(config.stateDir);
    default:
      throw new TypeError(`the ${config.store} store is not available in this version`);
  }
}
