import type { Attributes, Meter } from '@opentelemetry/api';
import type { BilledUnits, MediaTokens, TokenUsage } from '../model/usage.js';
import type { CallResult, CallSink } from '../model/call-result.js';
import type { CostSource } from '../model/cost.js';
import { Attr, DURATION_BUCKETS, Metric, TOKEN_BUCKETS } from '../model/otel-names.js';
import { PendingPoints } from './pending-points.js';
import { MAX_SERIES, type SeriesTotal, SeriesTotals } from './series-totals.js';

const tokenTypes: readonly [keyof TokenUsage, string][] = [
  ['input', 'input'],
  ['output', 'output'],
  ['cacheRead', 'cache_read'],
  ['cacheWrite', 'cache_write'],
  ['reasoning', 'reasoning'],
];

/** The parts some models price apart, each a `gen_ai.token.type` of its own: a part of `input`, `output` or a cache count, as `cache_read` is of `input`. */
const partTypes: readonly [keyof MediaTokens, string][] = [
  ['inputAudio', 'input_audio'],
  ['inputImage', 'input_image'],
  ['inputVideo', 'input_video'],
  ['outputAudio', 'output_audio'],
  ['outputImage', 'output_image'],
  ['outputVideo', 'output_video'],
  ['cacheReadAudio', 'cache_read_audio'],
  ['cacheReadImage', 'cache_read_image'],
  ['cacheReadVideo', 'cache_read_video'],
  ['cacheWrite1h', 'cache_write_1h'],
];

/** One call's identity as metric labels: built once per distinct call shape. */
interface CallSeries {
  /** The labels that tell calls apart, joined (seriesKey): what the counters' series are found by. */
  key: string;
  /** The counters' labels. */
  base: Attributes;
  /** The histograms' labels: `base`, or the overflow series once the bound is reached. */
  histogram: Attributes;
  /** `histogram` with `error.type`, per error type seen. */
  errors: Map<string, Attributes>;
  /** `histogram` with `gen_ai.token.type` input / output, for the token histogram. */
  input: Attributes;
  output: Attributes;
  /** The counters' totals this series adds to, found on its first call of each kind: later calls add with no key built. */
  requests: Partial<Record<'ok' | 'error', SeriesTotal>>;
  /** By index in `tokenTypes`. */
  tokens: (SeriesTotal | undefined)[];
  cost: Partial<Record<CostSource, SeriesTotal>>;
}

/** Where one part of a call's shape leads: the series of the shapes that end there, and the steps of one more part. */
interface SeriesStep {
  series: CallSeries | undefined;
  next: Map<string, SeriesStep> | undefined;
}

/**
 * The histograms' series past the bound. The SDK limits label sets per
 * collection only, so with cumulative temporality each burst of new labels
 * would add 2000 more: costctl applies the bound itself, as it does for the
 * counters (SeriesTotals).
 */
const overflowAttributes: Attributes = Object.freeze({ 'otel.metric.overflow': true });
const overflowParts = histogramSeries(new Map(), overflowAttributes);
const overflowSeries = (key: string, base: Attributes): CallSeries => ({ key, base, histogram: overflowAttributes, ...overflowParts, ...totalsOf() });

/**
 * The cost and token instruments of docs/metrics.md, recorded once per finished call
 * whether or not a span was sampled. The counters keep their totals here
 * and are published at collection (see SeriesTotals), so a call costs a few
 * Map lookups rather than an attribute hash per instrument; the two
 * histograms' points are held until collection (see PendingPoints). Bucket
 * boundaries travel as instrument advice, so an app's own MeterProvider gets
 * them without views.
 */
export class CostMetrics implements CallSink {
  readonly #cost = new SeriesTotals();
  readonly #tokens = new SeriesTotals();
  readonly #requests = new SeriesTotals();
  readonly #unpriced = new SeriesTotals();
  readonly #units = new SeriesTotals();
  readonly #series = new Map<string, CallSeries>();
  /** The kept series again, by provider, operation, model, response model, then each label's name and value: no key built per call. */
  readonly #steps = new Map<string, SeriesStep>();
  readonly #tokenUsage: PendingPoints;
  readonly #duration: PendingPoints;

  constructor(meter: Meter) {
    const cost = meter.createObservableCounter(Metric.cost, { unit: '{USD}', description: 'Cost of calls to paid APIs, in US dollars' });
    const tokens = meter.createObservableCounter(Metric.tokens, { unit: '{token}', description: 'Tokens used by calls to paid APIs, by type' });
    const requests = meter.createObservableCounter(Metric.requests, { description: 'Calls to paid APIs, by outcome' });
    const unpriced = meter.createObservableCounter(Metric.unpriced, { description: 'Billable calls that could not be priced, by reason' });
    cost.addCallback((result) => this.#cost.observe(result));
    tokens.addCallback((result) => this.#tokens.observe(result));
    requests.addCallback((result) => {
      // Every observable callback runs before the SDK reads the histograms: their held points land in this collection.
      this.#tokenUsage.flush();
      this.#duration.flush();
      this.#requests.observe(result);
    });
    unpriced.addCallback((result) => this.#unpriced.observe(result));
    // Seconds, characters, a metered API's units: counted apart, so costctl.tokens stays tokens.
    const units = meter.createObservableCounter(Metric.units, {
      unit: '{unit}',
      description: 'Units other than tokens that calls to paid APIs were billed in, by unit',
    });
    units.addCallback((result) => this.#units.observe(result));
    this.#tokenUsage = new PendingPoints(
      meter.createHistogram(Metric.tokenUsage, {
        unit: '{token}',
        description: 'Number of input and output tokens used',
        advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
      }),
    );
    this.#duration = new PendingPoints(
      meter.createHistogram(Metric.operationDuration, {
        unit: 's',
        description: 'GenAI operation duration',
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      }),
    );
  }

  record(result: CallResult): void {
    const series = this.#kept(result) ?? this.#seriesOf(result);
    const { key, base } = series;

    if (result.outcome === 'blocked') {
      // The refusing rule (bounded by the configured rules) or `gate`: which budget is stopping calls.
      const rule = result.blockedBy ?? 'gate';
      this.#requests.add(`${key}\u0000blocked\u0000${rule}`, () => ({ ...base, [Attr.outcome]: 'blocked', [Attr.rule]: rule }), 1);
      return;
    }
    const outcome = result.outcome;
    (series.requests[outcome] ??= this.#requests.total(`${key}\u0000${outcome}`, () => ({ ...base, [Attr.outcome]: outcome }))).value += 1;
    // Spend recorded by hand without a duration (an invoice) says nothing about how long calls take.
    if (result.source !== 'manual' || result.durationSeconds > 0) {
      this.#duration.add(result.durationSeconds, result.errorType === undefined ? series.histogram : errorAttributes(series, result.errorType));
    }
    if (!result.billable) return;

    this.#recordTokens(key, series, result.usage, result.mediaTokens);
    // Steps billed outside the top-level usage (a compaction) are tokens this call was billed for.
    if (result.steps !== undefined) for (const step of result.steps) this.#recordTokens(key, series, step.usage, step.mediaTokens);
    // Spend recorded by hand in dollars alone (an invoice) has no token counts to add to the token histogram.
    const tokenless = result.source === 'manual' && result.usage.input + result.usage.output === 0;
    if (result.units === undefined && !tokenless) {
      this.#tokenUsage.add(result.usage.input, series.input);
      if (result.operation !== 'embeddings') this.#tokenUsage.add(result.usage.output, series.output);
    } else if (result.units !== undefined) {
      this.#recordUnits(key, series, result.units, result.usage);
    }

    const { cost, unpricedReason } = result;
    if (cost !== undefined) {
      const source = cost.source;
      (series.cost[source] ??= this.#cost.total(`${key}\u0000${source}`, () => ({ ...base, [Attr.costSource]: source }))).value += cost.usd;
    }
    // A reason beside a cost says a part of the call (a tool fee, a step) had no price: the call is counted short.
    if (unpricedReason !== undefined) this.#unpriced.add(`${key}\u0000${unpricedReason}`, () => ({ ...base, [Attr.reason]: unpricedReason }), 1);
  }

  #recordTokens(key: string, series: CallSeries, usage: TokenUsage, media: Partial<MediaTokens> | undefined): void {
    const { base, tokens } = series;
    for (let i = 0; i < tokenTypes.length; i++) {
      const [field, type] = tokenTypes[i]!;
      const count = usage[field];
      if (count > 0) (tokens[i] ??= this.#tokens.total(`${key}\u0000${type}`, () => ({ ...base, [Attr.tokenType]: type }))).value += count;
    }
    if (media === undefined) return;
    for (const [field, type] of partTypes) {
      const count = media[field] ?? 0;
      if (count > 0) this.#tokens.add(`${key}\u0000${type}`, () => ({ ...base, [Attr.tokenType]: type }), count);
    }
  }

  /** A call billed in other units: each unit counted; the token histogram only gets the tokens it really had. */
  #recordUnits(key: string, series: CallSeries, units: BilledUnits, usage: TokenUsage): void {
    for (const unit in units) {
      const count = units[unit]!;
      if (count > 0) this.#units.add(`${key}\u0000${unit}`, () => ({ ...series.base, [Attr.unit]: unit }), count);
    }
    if (usage.input > 0) this.#tokenUsage.add(usage.input, series.input);
    if (usage.output > 0) this.#tokenUsage.add(usage.output, series.output);
  }

  /** The kept series of `result`'s shape, found by a Map lookup per part of it (provider, operation, models, each label's name and value). */
  #kept(result: CallResult): CallSeries | undefined {
    const { labels } = result;
    let step = this.#steps
      .get(result.provider)
      ?.next?.get(result.operation)
      ?.next?.get(result.requestModel ?? result.model ?? '')
      ?.next?.get(result.responseModel ?? '');
    for (const name in labels) {
      if (step === undefined) return undefined;
      step = step.next?.get(name)?.next?.get(String(labels[name]));
    }
    return step?.series;
  }

  #seriesOf(result: CallResult): CallSeries {
    const key = seriesKey(result);
    const known = this.#series.get(key);
    if (known !== undefined) return known;
    const base = baseAttributes(result);
    // Past the bound the counters' labels are built afresh (SeriesTotals overflows them) and histograms overflow here.
    if (this.#series.size >= MAX_SERIES) return overflowSeries(key, base);
    const series: CallSeries = { key, base, histogram: base, ...histogramSeries(new Map(), base), ...totalsOf() };
    this.#series.set(key, series);
    this.#keep(result, series);
    return series;
  }

  /** Files a new kept series under the parts of its shape, as `#kept` walks them: as bounded as the series are. */
  #keep(result: CallResult, series: CallSeries): void {
    const parts = [result.provider, result.operation, result.requestModel ?? result.model ?? '', result.responseModel ?? ''];
    for (const name in result.labels) parts.push(name, String(result.labels[name]));
    let steps = this.#steps;
    let step: SeriesStep | undefined;
    for (const part of parts) {
      if (step !== undefined) steps = step.next ??= new Map();
      step = steps.get(part);
      if (step === undefined) steps.set(part, (step = { series: undefined, next: undefined }));
    }
    step!.series = series;
  }
}

function histogramSeries(errors: Map<string, Attributes>, labels: Attributes): Pick<CallSeries, 'errors' | 'input' | 'output'> {
  return { errors, input: { ...labels, [Attr.tokenType]: 'input' }, output: { ...labels, [Attr.tokenType]: 'output' } };
}

function totalsOf(): Pick<CallSeries, 'requests' | 'tokens' | 'cost'> {
  return { requests: {}, tokens: [], cost: {} };
}

function errorAttributes(series: CallSeries, errorType: string): Attributes {
  let attributes = series.errors.get(errorType);
  if (attributes === undefined) {
    attributes = { ...series.histogram, [Attr.errorType]: errorType };
    series.errors.set(errorType, attributes);
  }
  return attributes;
}

/** The labels that tell calls apart, joined; a NUL cannot appear in any of them. */
function seriesKey(result: CallResult): string {
  let key = `${result.provider}\u0000${result.operation}\u0000${result.requestModel ?? result.model ?? ''}\u0000${result.responseModel ?? ''}`;
  for (const name in result.labels) key += `\u0000${name}=${String(result.labels[name])}`;
  return key;
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
