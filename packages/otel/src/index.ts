export { start, type Costctl, type GateControl, type StartOptions } from './sdk.js';
export type { AlertHook, BudgetAlert, CostctlAlert, GateAlert } from './budget/alerts.js';
export type { Level } from './model/level.js';
export type { GateListener } from './gate/gate.js';
export type { RuleStatus } from './budget/levels.js';
export type { AggregateRead, AggregateSpend, AuditEntry, CostStore, CounterEntry, CounterSpend, GateChange, GateState, ReserveResult, RuleSeed, WindowSpend } from './store/types.js';
export { loadConfig, type LoadOptions } from './config/load.js';
export type { CostctlConfig, FileConfig as CostctlConfigInput, ModelPrice, Endpoint, MeterConfig, RuleConfig } from './config/schema.js';
export { CostSpanProcessor, type EnrichableSpan } from './telemetry/cost-span-processor.js';
export { jsonLogger, type Logger } from './model/logger.js';
export {
  ConfigError,
  CostctlBlockedError,
  CostctlError,
  CostctlStoreError,
  isCostctlError,
  type BlockReason,
  type ConfigIssue,
  type CostctlErrorCode,
} from './model/errors.js';
export type { CostSource, UnpricedReason } from './model/cost.js';
export type { BilledUnits, MediaTokens, OperationName, TokenUsage } from './model/usage.js';
export { openState, type AdjustmentResult, type CostctlState, type RuleView, type StateOptions } from './state.js';
export { priceModel, type ModelQuote } from './call/price-model.js';
export { check, recordCost, reserve, type CostCheck, type CostEstimate, type CostReservation, type CostSpend, type RecordedCost, type SpendActual } from './call/manual.js';
export { priceDataStatus, updatePriceData, PRICE_DATA_URL, type PriceDataStatus, type PriceDataUpdate } from './prices.js';
export type { PriceDataInfo, PriceDataSource } from './pricing/price-data.js';
export { readLedger, type LedgerQuery, type SkippedLine } from './ledger/reader.js';
export { billedTokensOf, type LedgerEntry, type LedgerStep, type LedgerTokens } from './ledger/entry.js';
export type { AdjustmentInput, LedgerAdjustment } from './ledger/adjustment.js';
export { calendarWindow, parseWindow, type WindowSpec } from './model/windows.js';
