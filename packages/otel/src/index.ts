export { start, type Costctl, type StartOptions } from './sdk.js';
export { loadConfig, type LoadOptions } from './config/load.js';
export type { CostctlConfig, FileConfig as CostctlConfigInput, ModelPrice, Endpoint } from './config/schema.js';
export { CostSpanProcessor, type EnrichableSpan } from './telemetry/cost-span-processor.js';
export { jsonLogger, type Logger } from './logger.js';
export { ConfigError, CostctlError, isCostctlError, type ConfigIssue, type CostctlErrorCode } from './errors.js';
export type { CostSource, UnpricedReason } from './pricing/price-call.js';
export type { OperationName, TokenUsage } from './providers/types.js';
