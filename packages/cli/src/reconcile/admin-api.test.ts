import { describe, expect, it, vi } from 'vitest';
import { type AdminApi, BillingApiError, fetchPages, retryAfter, scrub } from './admin-api.js';

const KEY = 'sk-admin-Zq81VerySecret9900';
const api: AdminApi = { name: 'OpenAI', keyVariable: 'OPENAI_ADMIN_KEY', key: KEY, headers: { authorization: `Bearer ${KEY}` } };
const first = new URL('https://admin.example/v1/organization/costs?start_time=1&limit=2');

/** A fetch that answers from a script, one entry per request, and records what was asked. */
function scripted(answers: (Response | Error)[]) {
  const asked: { url: string; headers: Record<string, string> }[] = [];
  const fetch = (async (url: URL, init?: RequestInit) => {
    asked.push({ url: String(url), headers: init?.headers as Record<string, string> });
    const answer = answers.shift();
    if (answer === undefined) throw new Error('no more answers scripted');
    if (answer instanceof Error) throw answer;
    return answer;
  }) as typeof globalThis.fetch;
  return { fetch, asked };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers });
const sleeps = () => {
  const waited: number[] = [];
  return { waited, sleep: async (ms: number) => void waited.push(ms) };
};

describe('fetchPages', () => {
  it('follows next_page until has_more is false, sending the key in the headers only', async () => {
    const { fetch, asked } = scripted([
      json({ data: [1], has_more: true, next_page: 'page_A' }),
      json({ data: [2], has_more: true, next_page: 'page_B' }),
      json({ data: [3], has_more: false, next_page: null }),
    ]);
    const pages = await fetchPages(first, api, { fetch });
    expect(pages.map((page) => (page as { data: number[] }).data)).toEqual([[1], [2], [3]]);
    expect(asked.map((request) => new URL(request.url).searchParams.get('page'))).toEqual([null, 'page_A', 'page_B']);
    expect(asked.every((request) => new URL(request.url).searchParams.get('start_time') === '1' && !request.url.includes(KEY))).toBe(true);
    expect(asked[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('waits as a 429 asks, then goes on', async () => {
    const { waited, sleep } = sleeps();
    const { fetch, asked } = scripted([json({ error: { message: 'Rate limit reached' } }, 429, { 'retry-after': '2' }), json({ data: [], has_more: false })]);
    const retries: string[] = [];
    await fetchPages(first, api, { fetch, sleep, onRetry: (message) => retries.push(message) });
    expect(waited).toEqual([2000]);
    expect(asked).toHaveLength(2);
    expect(retries).toEqual(['OpenAI https://admin.example/v1/organization/costs: 429 Rate limit reached; retrying in 2.0 s (1/4)']);
  });

  it('gives up at once when retry-after asks for longer than it will wait, and says when to try again', async () => {
    const { fetch } = scripted([json({ error: { message: 'slow down' } }, 429, { 'retry-after': '3600' })]);
    await expect(fetchPages(first, api, { fetch, sleep: async () => {} })).rejects.toThrow(
      /answered 429 slow down and asks to wait 3600 s; run costctl reconcile again later/,
    );
  });

  it('retries 5xx and network failures with backoff, a bounded number of times, then fails clearly', async () => {
    const { waited, sleep } = sleeps();
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const { fetch, asked } = scripted([json({}, 500), refused, json({}, 502), json({}, 503), json({ error: { message: 'overloaded' } }, 529)]);
    const failure = fetchPages(first, api, { fetch, sleep, maxRetries: 4 });
    await expect(failure).rejects.toThrow(BillingApiError);
    await expect(fetchPages(first, api, { fetch: scripted([refused]).fetch, sleep, maxRetries: 0 })).rejects.toThrow(
      'OpenAI https://admin.example/v1/organization/costs: no answer (fetch failed: ECONNREFUSED), still after 1 attempts; try again later',
    );
    expect(asked).toHaveLength(5);
    expect(waited.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
  });

  it('does not retry a refused key, and never repeats the key, even masked as providers echo it', async () => {
    const { fetch, asked } = scripted([json({ error: { message: `Incorrect API key provided: sk-admin-****9900. Or ${KEY}.` } }, 401)]);
    const error = await fetchPages(first, api, { fetch }).then(
      () => expect.fail('fetchPages resolved'),
      (caught: unknown) => caught as Error,
    );
    expect(asked).toHaveLength(1);
    expect(error.message).toBe(
      'OpenAI https://admin.example/v1/organization/costs answered 401 Incorrect API key provided: [redacted] Or [redacted].; check that OPENAI_ADMIN_KEY holds an admin key of the organization (not a project or workspace API key)',
    );
  });

  it('stops on a cursor that comes back, and on a body that is not JSON', async () => {
    const loop = scripted([json({ data: [], has_more: true, next_page: 'page_A' }), json({ data: [], has_more: true, next_page: 'page_A' })]);
    await expect(fetchPages(first, api, { fetch: loop.fetch })).rejects.toThrow(/returned the page cursor "page_A" twice/);
    const html = scripted([new Response('<html>login</html>', { status: 200 })]);
    await expect(fetchPages(first, api, { fetch: html.fetch })).rejects.toThrow(/a body that is not JSON; is the admin API URL right\?/);
  });

  it('never names a password written in the URL', async () => {
    const { fetch } = scripted([json({}, 404)]);
    const withPassword = new URL('https://user:hunter22@proxy.example/v1/organization/costs?start_time=1');
    const error = await fetchPages(withPassword, api, { fetch }).then(
      () => expect.fail('fetchPages resolved'),
      (caught: unknown) => caught as Error,
    );
    expect(error.message).toMatch(/^OpenAI https:\/\/proxy\.example\/v1\/organization\/costs answered 404/);
    expect(error.message).not.toContain('hunter22');
  });
});

describe('retryAfter and scrub', () => {
  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(retryAfter(new Headers({ 'retry-after': '1.5' }))).toBe(1500);
    expect(retryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 11, 7, 12, 0, 0) });
    try {
      expect(retryAfter(new Headers({ 'retry-after': new Date(Date.now() + 10_000).toUTCString() }))).toBe(10_000);
    } finally {
      vi.useRealTimers();
    }
    expect(retryAfter(new Headers())).toBeUndefined();
  });

  it('removes the key and key-shaped words', () => {
    expect(scrub(`bad key ${KEY}!`, KEY)).toBe('bad key [redacted]!');
    expect(scrub('invalid x-api-key sk-ant-admin01-abcd…', 'other')).toBe('invalid x-api-key [redacted]…');
  });
});
