import { SpanKind, type Context } from '@opentelemetry/api';
import { activeCall, callOfSpan, spanCalls } from './span-calls.js';
import { Attr } from '../model/otel-names.js';

/** The parts of an SDK span this processor uses; any `@opentelemetry/sdk-trace` span fits. */
export interface EnrichableSpan {
  readonly kind: number;
  setAttribute(key: string, value: string | number | boolean): unknown;
}

/**
 * Adds `gen_ai.*` and `costctl.cost.*` attributes to the HTTP client span of
 * each priced call (the one `@opentelemetry/instrumentation-undici` or
 * `@opentelemetry/instrumentation-http` starts), in `onEnding`, while the
 * span can still be written. The span is tied to the call when it starts,
 * synchronously inside the call's dispatch or `request()`, or by the
 * node:http transport when the instrumentation's `request()` wraps costctl's.
 *
 * @example
 * new NodeSDK({ spanProcessors: [new CostSpanProcessor(), new BatchSpanProcessor(exporter)], … });
 */
export class CostSpanProcessor {
  onStart(span: EnrichableSpan, _parentContext: Context): void {
    const source = activeCall.call;
    if (source !== undefined && span.kind === SpanKind.CLIENT) spanCalls.set(span, source);
  }

  onEnding(span: EnrichableSpan): void {
    const call = callOfSpan(span);
    if (call === undefined) return;
    span.setAttribute(Attr.provider, call.adapter.name);
    span.setAttribute(Attr.operation, call.request.operation);
    if (call.request.model !== undefined) span.setAttribute(Attr.requestModel, call.request.model);
    const block = call.blockedBy;
    if (block !== undefined) {
      span.setAttribute(Attr.outcome, 'blocked');
      span.setAttribute(Attr.rule, block.rule);
      return;
    }
    const cost = call.cost();
    if (cost === undefined) return;
    if (call.responseModel !== undefined) span.setAttribute(Attr.responseModel, call.responseModel);
    span.setAttribute(Attr.inputTokens, cost.usage.input);
    span.setAttribute(Attr.outputTokens, cost.usage.output);
    if (cost.cost !== undefined) {
      span.setAttribute(Attr.costUsd, cost.cost.usd);
      span.setAttribute(Attr.costSource, cost.cost.source);
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
