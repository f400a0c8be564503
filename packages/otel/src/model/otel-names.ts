/**
 * Every metric and attribute name costctl emits, in one place. The GenAI
 * names follow the OTel semantic conventions; their constants in
 * `@opentelemetry/semantic-conventions` are incubating, so we own the strings.
 */

export const METER_NAME = '@costctl/otel';

export const Metric = {
  cost: 'costctl.cost.usd',
  tokens: 'costctl.tokens',
  requests: 'costctl.requests',
  unpriced: 'costctl.unpriced_requests',
  units: 'costctl.units',
  tokenUsage: 'gen_ai.client.token.usage',
  operationDuration: 'gen_ai.client.operation.duration',
  budgetSpent: 'costctl.budget.spent',
  budgetLimit: 'costctl.budget.limit',
  budgetLevel: 'costctl.budget.level',
  gateTripped: 'costctl.gate.tripped',
  creditsRemaining: 'costctl.credits.remaining',
  storeReachable: 'costctl.store.reachable',
  clockSkew: 'costctl.clock.skew',
  budgetSpentDisplay: 'costctl.budget.spent_display',
  priceDataAge: 'costctl.price_data.age',
} as const;

export const Attr = {
  provider: 'gen_ai.provider.name',
  operation: 'gen_ai.operation.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  tokenType: 'gen_ai.token.type',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  responseId: 'gen_ai.response.id',
  errorType: 'error.type',
  costUsd: 'costctl.cost.usd',
  costSource: 'costctl.cost.source',
  outcome: 'costctl.outcome',
  reason: 'costctl.reason',
  rule: 'costctl.rule',
  unit: 'costctl.unit',
  store: 'costctl.store',
  currency: 'costctl.currency',
  priceSource: 'costctl.price_source',
} as const;

/** `gen_ai.client.token.usage` bucket boundaries advised by the GenAI conventions. */
export const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/** `gen_ai.client.operation.duration` bucket boundaries (seconds) advised by the GenAI conventions. */
export const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
