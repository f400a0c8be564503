import type { CallResult } from './call-result.js';
import type { BlockReason } from './errors.js';

/** What was held for one call; settled once with what the call really cost, or released if it never reached the provider. */
export interface Reservation {
  settle(result: CallResult): void;
  /** Gives back everything held: the call failed before any response (refused, DNS, aborted before its headers). */
  release(): void;
}

/** Whether a call may leave: blocked (and why), or admitted with what it holds. */
export type Admission = { blocked: BlockReason } | { blocked: undefined; reservation: Reservation | undefined };
