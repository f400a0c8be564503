import { describe, expect, it } from 'vitest';
import type { Reservation } from '../budget/budgets.js';
import { PriceTable } from '../pricing/price-table.js';
import type { CallResult } from '../model/call-result.js';
import { EndpointMatcher } from './endpoints.js';
import { CallObserver } from './observer.js';

const completion = new TextEncoder().encode(
  JSON.stringify({
    id: 'c',
    object: 'chat.completion',
    model: 'gpt-4o-mini',
    choices: [],
    usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
  }),
);

/** A reservation that remembers how it ended. */
function reservation(): Reservation & { ends: string[] } {
  const ends: string[] = [];
  return { ends, settle: (result: CallResult) => void ends.push(`settled ${result.outcome}`), release: () => void ends.push('released') };
}

function newCall() {
  const observer = new CallObserver(new EndpointMatcher([{ provider: 'openai', baseUrl: 'http://127.0.0.1:9/v1' }]), [], {
    table: new PriceTable(),
    sink: { record: () => {} },
  });
  return observer.observe('POST', 'http://127.0.0.1:9', '127.0.0.1:9', '/v1/chat/completions', JSON.stringify({ model: 'gpt-4o-mini', messages: [] }))!;
}

const json = (name: string) => (name === 'content-type' ? 'application/json' : undefined);

describe("a call's reservation", () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })],
    ['a name that does not resolve', Object.assign(new Error('getaddrinfo ENOTFOUND api.openai.invalid'), { code: 'ENOTFOUND' })],
    ['an abort before the headers', new DOMException('This operation was aborted', 'AbortError')],
  ])('is released when the call fails before any response: %s', (_, error) => {
    const call = newCall();
    const held = reservation();
    call.reservation = held;
    call.failed(error);
    expect(held.ends).toEqual(['released']);
  });

  it('is released when it arrives after the call already failed unanswered (a store that answers late)', () => {
    const call = newCall();
    call.failed(new Error('socket hang up'));
    const held = reservation();
    call.reservation = held;
    expect(held.ends).toEqual(['released']);
  });

  it('is settled, not released, once the provider answered: an error status, a cut after the headers, a whole answer', () => {
    const refused = newCall();
    const refusedHeld = reservation();
    refused.reservation = refusedHeld;
    refused.responseStarted(429, json);
    refused.ended();

    const cut = newCall();
    const cutHeld = reservation();
    cut.reservation = cutHeld;
    cut.responseStarted(200, json);
    cut.failed(new Error('aborted'));

    const whole = newCall();
    const wholeHeld = reservation();
    whole.reservation = wholeHeld;
    whole.responseStarted(200, json);
    whole.data(completion);
    whole.ended();

    expect([refusedHeld.ends, cutHeld.ends, wholeHeld.ends]).toEqual([['settled error'], ['settled error'], ['settled ok']]);
  });
});
