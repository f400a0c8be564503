import { storeSuite } from '@costctl/testkit';
import { describe, it } from 'vitest';
import { MemoryStore } from './memory.js';

describe('MemoryStore', () => {
  storeSuite(it, () => new MemoryStore(), { capabilities: { seed: true, aggregates: true } });
});
