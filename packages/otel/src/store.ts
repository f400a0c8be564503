/**
 * `@costctl/otel/store`: the contract a store plugin implements (the Redis
 * store is one), and the error it throws when it cannot answer. Its
 * behaviour suite is `storeSuite` in `@costctl/testkit`.
 *
 * @example
 * import { CostctlStoreError, type CostStore } from '@costctl/otel/store';
 * export class MyStore implements CostStore { … }
 */
export type {
  AggregateRead,
  AggregateSpend,
  AuditEntry,
  CostStore,
  CounterEntry,
  CounterSpend,
  GateChange,
  GateState,
  LeaseGrant,
  LeaseRenewal,
  ReserveResult,
  RuleSeed,
  WindowSpend,
} from './store/types.js';
export { CostctlStoreError } from './model/errors.js';
export { GateListeners, sameGate } from './store/gate-listeners.js';
export { withoutCredentials } from './model/redacted-url.js';
export type { Logger } from './model/logger.js';
