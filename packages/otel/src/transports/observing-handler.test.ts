import { describe, expect, it } from 'vitest';
import { EndpointMatcher } from '../call/endpoints.js';
import { CallObserver } from '../call/observer.js';
import type { CallResult } from '../model/call-result.js';
import { PriceTable } from '../pricing/price-table.js';
import { observingHandler } from './observing-handler.js';

const completion = Buffer.from(
  JSON.stringify({ id: 'chatcmpl-5', model: 'gpt-4o-mini-2024-07-18', choices: [], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } }),
);

/** A real observed call for a chat request to OpenAI, and what it records. */
function observedCall() {
  const results: CallResult[] = [];
  const observer = new CallObserver(new EndpointMatcher([]), [], { table: new PriceTable(), sink: { record: (result) => void results.push(result) } });
  const call = observer.observe('POST', 'https://api.openai.com', 'api.openai.com', '/v1/chat/completions', JSON.stringify({ model: 'gpt-4o-mini' }));
  if (call === undefined) throw new Error('the chat request should be billable');
  return { call, results };
}

/** An app handler whose callbacks note their `this` and arguments and answer `answers[name]`. */
function appHandler(names: string[], answers: Record<string, unknown> = {}) {
  const seen: { name: string; self: unknown; args: unknown[] }[] = [];
  const handler: Record<string, (...args: unknown[]) => unknown> = {};
  for (const name of names) {
    handler[name] = function (this: unknown, ...args: unknown[]) {
      seen.push({ name, self: this, args });
      return answers[name];
    };
  }
  return { handler, seen };
}

describe('the observing handler, legacy (v6) shape', () => {
  const names = ['onConnect', 'onResponseStarted', 'onHeaders', 'onData', 'onComplete', 'onError', 'onUpgrade', 'onBodySent', 'onRequestSent'];

  it("forwards every callback with undici's arguments, the app's handler as this, and its answers, and reads the response", () => {
    const { call, results } = observedCall();
    const { handler, seen } = appHandler(names, { onHeaders: false, onData: true });
    const observed = observingHandler(handler, call) as Record<string, (...args: unknown[]) => unknown>;
    const abort = () => {};
    const rawHeaders = [Buffer.from('Content-Type'), Buffer.from('application/json')];
    const resume = () => {};
    const body = Buffer.from('{}');

    observed.onConnect!(abort, undefined);
    expect(call.abort).toBe(abort);
    observed.onBodySent!(body);
    observed.onRequestSent!();
    observed.onResponseStarted!();
    expect(observed.onHeaders!(200, rawHeaders, resume, 'OK')).toBe(false);
    expect(observed.onData!(completion)).toBe(true);
    observed.onComplete!([]);

    expect(seen.map(({ name }) => name)).toEqual(['onConnect', 'onBodySent', 'onRequestSent', 'onResponseStarted', 'onHeaders', 'onData', 'onComplete']);
    expect(seen.every(({ self }) => self === handler)).toBe(true);
    expect(seen.find(({ name }) => name === 'onHeaders')!.args).toEqual([200, rawHeaders, resume, 'OK']);
    expect(seen.find(({ name }) => name === 'onData')!.args[0]).toBe(completion);
    expect(results).toMatchObject([{ outcome: 'ok', responseModel: 'gpt-4o-mini-2024-07-18', usage: { input: 9, output: 4 } }]);
  });

  it("lets a throw of the app's callback reach undici unchanged, and still sees what went by", () => {
    const { call, results } = observedCall();
    const thrown = new Error('app handler failed');
    const handler = {
      onHeaders: () => true,
      onData: () => {
        throw thrown;
      },
      onComplete: () => {},
    };
    const observed = observingHandler(handler, call) as Record<string, (...args: unknown[]) => unknown>;
    observed.onHeaders!(200, [Buffer.from('content-type'), Buffer.from('application/json')], () => {}, 'OK');
    expect(() => observed.onData!(completion)).toThrow(thrown);
    observed.onComplete!([]);
    expect(results).toMatchObject([{ usage: { input: 9, output: 4 } }]);
  });
});

describe('the observing handler, controller (v7) shape', () => {
  const names = ['onRequestStart', 'onRequestUpgrade', 'onResponseStart', 'onResponseData', 'onResponseEnd', 'onResponseError'];

  it("forwards every callback with undici's arguments, the app's handler as this, and reads the response", () => {
    const { call, results } = observedCall();
    const { handler, seen } = appHandler(names);
    const observed = observingHandler(handler, call) as Record<string, (...args: unknown[]) => unknown>;
    const aborted: unknown[] = [];
    const controller = { abort: (reason: unknown) => void aborted.push(reason) };
    const context = { history: [] };
    const headers = { 'content-type': 'application/json' };

    observed.onRequestStart!(controller, context);
    const reason = new Error('stop');
    call.abort!(reason);
    expect(aborted).toEqual([reason]);
    observed.onResponseStart!(controller, 200, headers, 'OK');
    observed.onResponseData!(controller, completion);
    observed.onResponseEnd!(controller, {});

    expect(seen.map(({ name }) => name)).toEqual(['onRequestStart', 'onResponseStart', 'onResponseData', 'onResponseEnd']);
    expect(seen.every(({ self }) => self === handler)).toBe(true);
    expect(seen.map(({ args }) => args)).toEqual([
      [controller, context],
      [controller, 200, headers, 'OK'],
      [controller, completion],
      [controller, {}],
    ]);
    expect(results).toMatchObject([{ outcome: 'ok', usage: { input: 9, output: 4 } }]);
  });

  it('hands an error to the app and counts the call as failed', () => {
    const { call, results } = observedCall();
    const { handler, seen } = appHandler(names);
    const observed = observingHandler(handler, call) as Record<string, (...args: unknown[]) => unknown>;
    const controller = { abort: () => {} };
    const error = Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' });
    observed.onRequestStart!(controller, {});
    observed.onResponseError!(controller, error);
    expect(seen.at(-1)).toEqual({ name: 'onResponseError', self: handler, args: [controller, error] });
    expect(results).toMatchObject([{ outcome: 'error' }]);
  });
});
