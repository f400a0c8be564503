/**
 * `@costctl/otel`: the app API. Store plugins import their contract from
 * `@costctl/otel/store`; the contract suite is `storeSuite` in `@costctl/testkit`.
 */

// Start, stop, the gate and the budgets of this process.
export { start, type Costctl, type StartOptions } from './sdk.js';
export type { GateChangeRequest, GateControl } from './gate/control.js';
export type { GateListener } from './gate/gate.js';
export type { AuditEntry, GateState } from './store/types.js';
export type { AlertHook, BudgetAlert, CostctlAlert, GateAlert } from './budget/alerts.js';
export type { RuleStatus } from './budget/levels.js';
export type { Level } from './model/level.js';

// Configuration, logging and an app's own OpenTelemetry SDK.
export { loadConfig, type LoadOptions } from './config/load.js';
export type { CostctlConfig, FileConfig as CostctlConfigInput, ModelPrice, Endpoint, MeterConfig, RuleConfig } from './config/schema.js';
export { CostSpanProcessor, type EnrichableSpan } from './telemetry/cost-span-processor.js';
export { jsonLogger, type Logger } from './model/logger.js';

// Errors: one base class, a stable code each.
export {
  ConfigError,
  CostctlArgumentError,
  CostctlBlockedError,
  CostctlError,
  CostctlStoreError,
  isCostctlError,
  type BlockReason,
  type ConfigIssue,
  type CostctlErrorCode,
} from './model/errors.js';

// Spend as the ledger and the shared state hold it: status, report, forecast, price, adjust.
export type { CostSource, UnpricedReason } from './model/cost.js';
export type { BilledUnits, MediaTokens, OperationName, TokenUsage } from './model/usage.js';
export { openState, type AdjustmentResult, type CostctlState, type RuleView, type StateOptions } from './state.js';
export { priceModel, type ModelQuote } from './call/price-model.js';
export {
  check,
  recordCost,
  reserve,
  type CostCheck,
  type CostEstimate,
  type CostReservation,
  type CostSpend,
  type RecordedCost,
  type SpendActual,
} from './call/manual.js';
export { priceDataStatus, updatePriceData, PRICE_DATA_URL, type PriceDataStatus, type PriceDataUpdate } from './prices.js';
export type { PriceDataInfo, PriceDataSource } from './pricing/price-data.js';
export { readLedger, type LedgerQuery, type SkippedLine } from './ledger/reader.js';
export { billedTokensOf, type LedgerEntry, type LedgerStep, type LedgerTokens } from './ledger/entry.js';
export type { AdjustmentInput, LedgerAdjustment } from './ledger/adjustment.js';
export { calendarWindow, parseWindow, type WindowSpec } from './model/windows.js';
