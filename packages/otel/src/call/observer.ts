import type { Admission, Budgets } from '../budget/budgets.js';
import { ObservedCall, type CallContext } from './call.js';
import type { EndpointMatcher } from './endpoints.js';
import { readLabels } from './labels.js';
import { readRequestFacts } from './request-body.js';
import { logger } from '../model/logger.js';
import { reportInternalError } from './internal-error.js';

/**
 * Decides, per outgoing request, whether it is a billable call to a paid
 * API, and if so starts observing it. A request to any other host costs one
 * Map lookup.
 */
export class CallObserver {
  readonly #matcher: EndpointMatcher;
  readonly #labelKeys: readonly string[];
  readonly #context: CallContext;
  readonly #budgets: Budgets | undefined;
  /** Admitted calls not yet recorded: what `abortInFlight` stops. */
  readonly #inFlight = new Set<ObservedCall>();
  #warnedLate = false;

  constructor(matcher: EndpointMatcher, labelKeys: readonly string[], context: CallContext, budgets?: Budgets) {
    this.#matcher = matcher;
    this.#labelKeys = labelKeys;
    this.#context = { ...context, ended: (call) => this.#inFlight.delete(call) };
    this.#budgets = budgets;
  }

  /**
   * Stops every admitted call still under way whose transport can stop it
   * (fetch through costctl's dispatcher, node:http), failing it with
   * `reason`; what each used so far is recorded as usual. Returns how many.
   */
  abortInFlight(reason: Error): number {
    let aborted = 0;
    for (const call of [...this.#inFlight]) {
      if (call.abort === undefined) continue;
      try {
        call.abort(reason);
        aborted++;
      } catch (error) {
        reportInternalError(error);
      }
    }
    return aborted;
  }

  /**
   * Whether `call` may leave: the gate and every matching budget rule are
   * checked, and its worst case reserved. A blocked call is recorded here.
   */
  admit(call: ObservedCall): Admission | Promise<Admission> {
    if (this.#budgets === undefined) return this.#track(call, admitted);
    const admission = this.#budgets.admit(pendingOf(call));
    return admission instanceof Promise ? admission.then((a) => this.#track(call, settle(call, a))) : this.#track(call, settle(call, admission));
  }

  /**
   * `admit` for a request that cannot be held (the `undici` package's, seen
   * from a diagnostics channel as it is made): the admission when it is
   * known now — the gate, and budgets on the memory and file stores —, else
   * undefined and the request goes on. What a store answers later still
   * holds the call's spend (its reservation is settled with what the call
   * cost, even if it has ended); a refusal that comes too late is logged once.
   */
  admitNow(call: ObservedCall): Admission | undefined {
    if (this.#budgets === undefined) return admitted;
    const admission = this.#budgets.admit(pendingOf(call), false);
    if (!(admission instanceof Promise)) return settle(call, admission);
    admission.then(
      (late) => {
        if (late.blocked === undefined) call.reservation = late.reservation;
        else if (!this.#warnedLate) {
          this.#warnedLate = true;
          logger.warn(
            'costctl could not hold a call of the undici package for its store, and the store refused it after it left: such calls are not counted in budgets',
            {
              rule: late.blocked.rule,
            },
          );
        }
      },
      (error: unknown) => reportInternalError(error),
    );
    return undefined;
  }

  #track(call: ObservedCall, admission: Admission): Admission {
    if (admission.blocked === undefined && !call.recorded) this.#inFlight.add(call);
    return admission;
  }

  /**
   * Whether a request is a billable call, before its body is known
   * (`node:http` apps write the body after `request()` returns).
   */
  matches(method: string, origin: string, host: string, path: string): boolean {
    return this.#matcher.match(method, origin, host, path) !== undefined;
  }

  /** A new observed call for a billable request, or undefined for any other request. */
  observe(method: string, origin: string, host: string, path: string, body: unknown): ObservedCall | undefined {
    const matched = this.#matcher.match(method, origin, host, path);
    if (matched === undefined) return undefined;
    const request = readRequestFacts(matched.adapter, matched.call, body);
    return new ObservedCall(matched.adapter, request, readLabels(this.#labelKeys), this.#context);
  }
}

const admitted: Admission = { blocked: undefined, reservation: undefined };

function pendingOf(call: ObservedCall) {
  return { adapter: call.adapter, request: call.request, provider: call.adapter.name, model: call.request.model, labels: call.labels };
}

function settle(call: ObservedCall, admission: Admission): Admission {
  if (admission.blocked) call.blocked(admission.blocked);
  else call.reservation = admission.reservation;
  return admission;
}
