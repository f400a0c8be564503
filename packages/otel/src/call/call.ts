import type { Attributes } from '@opentelemetry/api';
import type { CallResult, CallSink } from '../model/call-result.js';
import type { CallCost } from '../model/cost.js';
import { priceCall } from '../pricing/price-call.js';
import type { Reservation } from '../budget/budgets.js';
import type { FallbackPrices } from '../budget/fallback-price.js';
import type { BlockReason } from '../model/errors.js';
import type { PriceTable } from '../pricing/price-table.js';
import type { HeaderLookup, RequestFacts, ResponseFacts } from '../model/usage.js';
import type { ProviderAdapter, ResponseReader } from '../providers/types.js';
import { checkClockSkew } from './clock-skew.js';
import { CompressedBody } from './decode.js';
import { reportInternalError } from './internal-error.js';

/** What the transport needs to know about costctl to observe calls. */
export interface CallContext {
  table: PriceTable;
  sink: CallSink;
  /** Told once when a call is recorded (ended, failed or blocked). */
  ended?(call: ObservedCall): void;
  /** What budgets count for a call the price data cannot price (an unknown model, a batch): never $0. */
  fallback?: FallbackPrices;
}

/**
 * The life of one observed call: created before the request leaves, fed the
 * response as it arrives, recorded once when the body ends or the call fails.
 * No method throws (a bug is reported, and the call goes on unobserved), and
 * none of them touches what the app sees.
 */
export class ObservedCall {
  readonly adapter: ProviderAdapter;
  readonly request: RequestFacts;
  readonly #context: CallContext;
  readonly #labels: Attributes;
  readonly #startedAt = performance.now();
  #reservation: Reservation | undefined;
  /** What was recorded, for a reservation that arrives after the call ended. */
  #result: CallResult | undefined;
  /** The call failed before any response: the provider never answered it, so budgets hold nothing for it. */
  #unanswered = false;

  #status = 0;
  #reader: ResponseReader | undefined;
  #compressed: CompressedBody | null | undefined = null;
  #facts: ResponseFacts | undefined;
  #cost: CallCost | undefined;
  #recorded = false;
  /** Body bytes seen; none on a 2xx answer means this transport hid the body from us. */
  #bytesSeen = 0;
  /** A bug in costctl stopped the reading: the call is still counted, as unpriced. */
  #broken = false;
  #block: BlockReason | undefined;
  /** Set by the transport once the call is under way: stops it, failing the app's request with `reason` (the gate tripping). */
  abort: ((reason: Error) => void) | undefined = undefined;

  /** What budgets hold for this call until it is recorded. */
  get reservation(): Reservation | undefined {
    return this.#reservation;
  }

  /**
   * Holds `reservation` for this call. One that arrives after the call was
   * recorded (an asynchronous store answering a call it could not hold) is
   * settled at once with what was recorded, or released.
   */
  set reservation(reservation: Reservation | undefined) {
    this.#reservation = reservation;
    if (reservation !== undefined && this.#result !== undefined) {
      try {
        this.#settle(reservation, this.#result);
      } catch (error) {
        reportInternalError(error);
      }
    }
  }

  get labels(): Attributes {
    return this.#labels;
  }

  constructor(adapter: ProviderAdapter, request: RequestFacts, labels: Attributes, context: CallContext) {
    this.adapter = adapter;
    this.request = request;
    this.#labels = labels;
    this.#context = context;
  }

  /** The response's status line and headers arrived. A redirect's later attempt starts over. */
  responseStarted(status: number, header: HeaderLookup): void {
    // Set first: whatever fails below, the provider has answered.
    this.#status = status;
    try {
      checkClockSkew(this.adapter.name, header('date'), Date.now());
      this.#facts = undefined;
      this.#cost = undefined;
      this.#bytesSeen = 0;
      this.#reader = status >= 200 && status < 300 ? this.adapter.createReader(this.request, header('content-type'), header) : undefined;
      this.#compressed = CompressedBody.for(header('content-encoding'));
    } catch (error) {
      this.#fail(error);
    }
  }

  /** A chunk of the response body, as it came off the wire. */
  data(chunk: Uint8Array): void {
    if (this.#reader === undefined || this.#facts !== undefined) return;
    this.#bytesSeen += chunk.byteLength;
    try {
      if (this.#compressed === null) this.#reader.push(chunk);
      else this.#compressed?.push(chunk);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** The body ended normally. */
  ended(): void {
    try {
      this.#record(undefined);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** costctl stopped the call before it left: counted, never billed. */
  blocked(block: BlockReason): void {
    if (this.#recorded) return;
    this.#recorded = true;
    this.#block = block;
    this.#context.ended?.(this);
    try {
      this.#context.sink.record({
        provider: this.adapter.name,
        operation: this.request.operation,
        requestModel: this.request.model,
        responseModel: undefined,
        responseId: undefined,
        outcome: 'blocked',
        blockedBy: block.rule,
        errorType: block.code,
        durationSeconds: (performance.now() - this.#startedAt) / 1000,
        labels: this.#labels,
        billable: false,
        usage: zeroUsage,
        model: this.request.model,
        cost: undefined,
        unpricedReason: undefined,
      });
    } catch (error) {
      reportInternalError(error);
    }
  }

  /** The call failed: a transport error, a cut, or the app aborting it. */
  failed(reason: unknown): void {
    try {
      this.#record(reason);
    } catch (error) {
      this.#fail(error);
    }
  }

  /**
   * Usage and cost as known now; reads the body to its end. Safe to call
   * before `ended()` (the span processor does, as the HTTP span ends first).
   */
  cost(): CallCost | undefined {
    if (this.#reader === undefined) return undefined;
    try {
      if (this.#cost === undefined) {
        const facts = this.#readFacts(this.#reader);
        this.#cost =
          this.#bytesSeen === 0 && this.adapter.bodyOptional !== true
            ? { usage: zeroUsage, model: facts.model ?? this.request.model, cost: undefined, unpricedReason: 'body_unobservable' }
            : priceCall(this.adapter, this.request, facts, this.#context.table);
      }
    } catch (error) {
      this.#fail(error);
    }
    return this.#cost;
  }

  /** True once the call is recorded: it is over. */
  get recorded(): boolean {
    return this.#recorded;
  }

  /** Why costctl stopped the call, when it did. */
  get blockedBy(): BlockReason | undefined {
    return this.#block;
  }

  /** The model the provider reported, once the body has been read by `cost()`. */
  get responseModel(): string | undefined {
    return this.#facts?.model;
  }

  /** A bug in costctl: stop reading this call, say so once, count it as unpriced, let the app's call go on. */
  #fail(error: unknown): void {
    this.#reader = undefined;
    this.#broken = true;
    reportInternalError(error);
  }

  #readFacts(reader: ResponseReader): ResponseFacts {
    if (this.#facts === undefined) {
      if (this.#compressed) {
        const body = this.#compressed.decode();
        if (body !== undefined) reader.push(body);
      }
      this.#facts = reader.finish();
    }
    return this.#facts;
  }

  #record(error: unknown): void {
    if (this.#recorded) return;
    this.#recorded = true;
    this.abort = undefined;
    this.#context.ended?.(this);
    const cost = this.cost();
    const facts = this.#facts;
    const billable = cost !== undefined || (this.#broken && this.#status >= 200 && this.#status < 300);
    // A client that stops reading once the usage, or the stream's end, is in (OpenAI's after [DONE]) made a complete call.
    const ok = cost !== undefined && facts?.streamError === undefined && (error === undefined || facts?.usageComplete === true || facts?.complete === true);
    const result: CallResult = {
      provider: this.adapter.name,
      operation: this.request.operation,
      requestModel: this.request.model,
      responseModel: facts?.model,
      responseId: facts?.responseId,
      outcome: ok ? 'ok' : 'error',
      errorType: ok ? undefined : (facts?.streamError ?? errorType(this.#status, error)),
      durationSeconds: (performance.now() - this.#startedAt) / 1000,
      labels: this.#labels,
      billable,
      usage: cost?.usage ?? zeroUsage,
      model: cost?.model ?? this.request.model,
      cost: cost?.cost,
      // A priced call has no reason; a billable call costctl could not read is counted as its own failure.
      unpricedReason: cost !== undefined ? cost.unpricedReason : billable ? 'internal_error' : undefined,
    };
    if (cost?.units !== undefined) result.units = cost.units;
    if (cost?.mediaTokens !== undefined) result.mediaTokens = cost.mediaTokens;
    if (cost?.steps !== undefined) result.steps = cost.steps;
    const held = billable && cost !== undefined ? this.#context.fallback?.budgetUsd(this.adapter, this.request, cost) : undefined;
    if (held !== undefined) result.budgetUsd = held;
    this.#result = result;
    this.#unanswered = error !== undefined && this.#status === 0;
    try {
      if (this.#reservation !== undefined) this.#settle(this.#reservation, result);
    } finally {
      this.#context.sink.record(result);
    }
  }

  #settle(reservation: Reservation, result: CallResult): void {
    if (this.#unanswered) reservation.release();
    else reservation.settle(result);
  }
}

const zeroUsage = Object.freeze({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 });

function errorType(status: number, error: unknown): string {
  if (error === undefined) return String(status);
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : error.name;
  }
  return '_OTHER';
}
