import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import type { TokenUsage } from '../providers/types.js';
import type { CallResult, CallSink } from '../transport/call.js';
import { Attr, DURATION_BUCKETS, Metric, TOKEN_BUCKETS } from './names.js';

const tokenTypes: readonly [keyof TokenUsage, string][] = [
  ['input', 'input'],
  ['output', 'output'],
  ['cacheRead', 'cache_read'],
  ['cacheWrite', 'cache_write'],
  ['reasoning', 'reasoning'],
];

/**
 * The cost and token instruments of SPEC §5, recorded once per finished call
 * whether or not a span was sampled. Bucket boundaries travel as instrument
 * advice, so an app's own MeterProvider gets them without views.
 */
export class CostMetrics implements CallSink {
  readonly #cost: Counter;
  readonly #tokens: Counter;
  readonly #requests: Counter;
  readonly #unpriced: Counter;
  readonly #tokenUsage: Histogram;
  readonly #duration: Histogram;

  constructor(meter: Meter) {
    this.#cost = meter.createCounter(Metric.cost, { unit: '{USD}', description: 'Cost of calls to paid APIs, in US dollars' });
    this.#tokens = meter.createCounter(Metric.tokens, { unit: '{token}', description: 'Tokens used by calls to paid APIs, by type' });
    this.#requests = meter.createCounter(Metric.requests, { description: 'Calls to paid APIs, by outcome' });
    this.#unpriced = meter.createCounter(Metric.unpriced, { description: 'Billable calls that could not be priced, by reason' });
    this.#tokenUsage = meter.createHistogram(Metric.tokenUsage, {
      unit: '{token}',
      description: 'Number of input and output tokens used',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    });
    this.#duration = meter.createHistogram(Metric.operationDuration, {
      unit: 's',
      description: 'GenAI operation duration',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
  }

  record(result: CallResult): void {
    const base = baseAttributes(result);

    this.#requests.add(1, { ...base, [Attr.outcome]: result.outcome });
    if (result.outcome === 'blocked') return;
    const duration = result.errorType === undefined ? base : { ...base, [Attr.errorType]: result.errorType };
    this.#duration.record(result.durationSeconds, duration);
    if (!result.billable) return;

    for (const [field, type] of tokenTypes) {
      const count = result.usage[field];
      if (count > 0) this.#tokens.add(count, { ...base, [Attr.tokenType]: type });
    }
    this.#tokenUsage.record(result.usage.input, { ...base, [Attr.tokenType]: 'input' });
    if (result.operation !== 'embeddings') this.#tokenUsage.record(result.usage.output, { ...base, [Attr.tokenType]: 'output' });

    if (result.cost !== undefined) {
      this.#cost.add(result.cost.usd, { ...base, [Attr.costSource]: result.cost.source });
    } else if (result.unpricedReason !== undefined) {
      this.#unpriced.add(1, { ...base, [Attr.reason]: result.unpricedReason });
    }
  }
}

function baseAttributes(result: CallResult): Attributes {
  const attributes: Attributes = {
    ...result.labels,
    [Attr.provider]: result.provider,
    [Attr.operation]: result.operation,
    [Attr.requestModel]: result.requestModel ?? result.model ?? 'unknown',
  };
  if (result.responseModel !== undefined) attributes[Attr.responseModel] = result.responseModel;
  return attributes;
}
