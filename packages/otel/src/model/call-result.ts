import type { Attributes } from '@opentelemetry/api';
import type { CallCost } from './cost.js';
import type { OperationName } from './usage.js';

/** Everything known about one finished call: what metrics, spans and budgets read. */
export interface CallResult extends CallCost {
  provider: string;
  operation: OperationName;
  requestModel: string | undefined;
  responseModel: string | undefined;
  responseId: string | undefined;
  /**
   * `ok` when the provider answered 2xx and its answer was read (or its usage arrived before a cut);
   * `blocked` when costctl stopped the call before it left.
   */
  outcome: 'ok' | 'error' | 'blocked';
  /** HTTP status or error class, for failed calls (`error.type`). */
  errorType: string | undefined;
  durationSeconds: number;
  /** Allow-listed baggage labels. */
  labels: Attributes;
  /** False for calls the provider did not bill (non-2xx answers, failures before a response). */
  billable: boolean;
  /** For a blocked call: the rule that refused it, or `gate`. */
  blockedBy?: string;
  /**
   * USD budgets count for a billable call the price data could not price
   * (unknown model, no model, a batch billed later): the provider's highest
   * known price. The call stays unpriced (`cost` undefined): never claimed as spend.
   */
  budgetUsd?: number;
  /** `manual` for spend the app recorded itself (`recordCost`, a reservation's `settle`); absent for an observed HTTP call. */
  source?: 'manual';
}

/** Where finished calls go: the metrics, and later the budgets and the ledger. */
export interface CallSink {
  record(result: CallResult): void;
}
