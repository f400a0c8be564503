/**
 * A fake billing server: OpenAI's organization costs and usage reports and
 * Anthropic's Usage & Cost Admin API on one `node:http` server, in their
 * real response shapes, with paging, admin-key checks, and rate limits or
 * server errors on demand.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ANTHROPIC_MAX_LIMIT, anthropicCostPage, anthropicError, anthropicMessagesPage, anthropicSpan } from './anthropic-admin.js';
import { type BilledDay, decodeCursor, encodeCursor, pageOfDays } from './days.js';
import { OPENAI_MAX_LIMIT, type ReportQuery, openaiCompletionsPage, openaiCostsPage, openaiError, openaiSpan } from './openai-admin.js';

export type BillingProviderName = 'openai' | 'anthropic';

export interface FakeBillingOptions {
  /** What each provider bills, day by day and model by model. */
  openai?: BilledDay[];
  anthropic?: BilledDay[];
  /** The admin key each provider accepts; any other (or none) is answered 401. Default: any key. */
  keys?: Partial<Record<BillingProviderName, string>>;
  /** Most buckets a page holds, whatever `limit` asks: a small value makes every report span pages. */
  pageSize?: number;
  /** The clock that ends reports without an end time, ms. Default `Date.now`. */
  now?: () => number;
}

/** A report request as the fake saw it: never its headers. */
export interface BillingRequest {
  provider: BillingProviderName;
  path: string;
  /** The query string, as sent. */
  query: string;
  status: number;
}

export interface FakeBilling {
  /** `http://127.0.0.1:PORT`: Anthropic's base (paths start with /v1). */
  readonly url: string;
  /** `${url}/v1`: OpenAI's base, as its client's `baseURL`. */
  readonly openaiUrl: string;
  readonly requests: readonly BillingRequest[];
  /** Replaces what a provider bills. */
  setBill(provider: BillingProviderName, days: BilledDay[]): void;
  /** Answers the next `times` report requests 429 with `retry-after: seconds` (default 1). */
  rateLimit(times: number, seconds?: number): void;
  /** Answers the next `times` report requests with `status` (default 500; Anthropic's overload is 529). */
  fail(times: number, status?: number): void;
  reset(): void;
  close(): Promise<void>;
}

interface Faults {
  limited: number;
  retryAfter: number;
  failing: number;
  status: number;
}

type PageOf = (records: readonly BilledDay[], query: ReportQuery, cursor: (start: number) => string) => object;

const ROUTES: ReadonlyArray<{ provider: BillingProviderName; suffix: string; maxLimit: number; page: PageOf }> = [
  { provider: 'openai', suffix: '/v1/organization/costs', maxLimit: OPENAI_MAX_LIMIT.costs, page: openaiCostsPage },
  { provider: 'openai', suffix: '/v1/organization/usage/completions', maxLimit: OPENAI_MAX_LIMIT.completions, page: openaiCompletionsPage },
  { provider: 'anthropic', suffix: '/v1/organizations/cost_report', maxLimit: ANTHROPIC_MAX_LIMIT, page: anthropicCostPage },
  { provider: 'anthropic', suffix: '/v1/organizations/usage_report/messages', maxLimit: ANTHROPIC_MAX_LIMIT, page: anthropicMessagesPage },
];

/** A report's default page size when `limit` is not sent: 7 daily buckets, for both providers. */
const DEFAULT_LIMIT = 7;

/**
 * Starts the fake billing server on 127.0.0.1.
 *
 * @example
 * const billing = await startFakeBilling({
 *   openai: [{ day: '2026-11-20', model: 'gpt-4o-mini-2024-07-18', usd: 1.25, inputTokens: 900_000, outputTokens: 150_000, requests: 300 }],
 *   keys: { openai: 'sk-admin-test' },
 *   pageSize: 2,
 * });
 * // COSTCTL_OPENAI_ADMIN_URL=${billing.openaiUrl} OPENAI_ADMIN_KEY=sk-admin-test costctl reconcile --provider openai
 * await billing.close();
 */
export async function startFakeBilling(options: FakeBillingOptions = {}): Promise<FakeBilling> {
  const bills: Record<BillingProviderName, BilledDay[]> = { openai: [...(options.openai ?? [])], anthropic: [...(options.anthropic ?? [])] };
  const faults: Faults = { limited: 0, retryAfter: 1, failing: 0, status: 500 };
  const requests: BillingRequest[] = [];
  const now = options.now ?? Date.now;

  const server = createServer((req, res) => {
    requests.push(answer(req, res, { bills, faults, options, now }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    openaiUrl: `${url}/v1`,
    requests,
    setBill: (provider, days) => void (bills[provider] = [...days]),
    rateLimit: (times, seconds = 1) => Object.assign(faults, { limited: times, retryAfter: seconds }),
    fail: (times, status = 500) => Object.assign(faults, { failing: times, status }),
    reset: () => {
      requests.length = 0;
      Object.assign(faults, { limited: 0, failing: 0 });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface State {
  bills: Record<BillingProviderName, BilledDay[]>;
  faults: Faults;
  options: FakeBillingOptions;
  now: () => number;
}

/** Answers one request and says what it answered. */
function answer(req: IncomingMessage, res: ServerResponse, state: State): BillingRequest {
  const url = new URL(req.url ?? '/', 'http://fake');
  const route = req.method === 'GET' ? ROUTES.find((candidate) => url.pathname.replace(/\/+$/, '').endsWith(candidate.suffix)) : undefined;
  const provider: BillingProviderName = route?.provider ?? (req.headers['anthropic-version'] ? 'anthropic' : 'openai');
  const seen = { provider, path: url.pathname, query: url.search };
  const error = (status: number, type: string, message: string, headers: Record<string, string> = {}) => {
    send(res, status, provider === 'openai' ? openaiError(message, type, null) : anthropicError(type, message), headers);
    return { ...seen, status };
  };

  if (route === undefined) return error(404, 'not_found_error', `Invalid URL (${req.method} ${url.pathname})`);
  const key = provider === 'openai' ? /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] : header(req, 'x-api-key');
  const expected = state.options.keys?.[provider];
  if (key === undefined || (expected !== undefined && key !== expected)) {
    // Like the real APIs, the 401 shows a masked key: clients must not pass it on.
    const masked = key === undefined ? 'none' : `${key.slice(0, 8)}****${key.slice(-4)}`;
    return error(401, provider === 'openai' ? 'invalid_request_error' : 'authentication_error', `Incorrect API key provided: ${masked}.`);
  }
  if (provider === 'anthropic' && header(req, 'anthropic-version') === undefined)
    return error(400, 'invalid_request_error', 'anthropic-version: header is required');
  const { faults } = state;
  if (faults.limited > 0) {
    faults.limited -= 1;
    return error(429, 'rate_limit_error', 'Rate limit reached for admin API requests; please retry after a short wait.', {
      'retry-after': String(faults.retryAfter),
    });
  }
  if (faults.failing > 0) {
    faults.failing -= 1;
    return error(faults.status, faults.status === 529 ? 'overloaded_error' : 'server_error', 'The server had an error while processing your request.');
  }

  const span = provider === 'openai' ? openaiSpan(url.searchParams, state.now()) : anthropicSpan(url.searchParams, state.now());
  if (typeof span === 'string') return error(400, 'invalid_request_error', span);
  const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > route.maxLimit)
    return error(400, 'invalid_request_error', `limit must be an integer from 1 to ${route.maxLimit}`);
  const cursor = url.searchParams.get('page');
  const from = cursor === null ? span.start : decodeCursor(cursor);
  if (from === undefined) return error(400, 'invalid_request_error', `page: invalid cursor "${cursor}"`);
  const groupBy = [...url.searchParams.getAll('group_by[]'), ...url.searchParams.getAll('group_by')];
  const query: ReportQuery = { page: pageOfDays(from, span.end, Math.min(limit, state.options.pageSize ?? limit)), groupBy };
  send(res, 200, route.page(state.bills[provider], query, encodeCursor));
  return { ...seen, status: 200 };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function send(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': bytes.length });
  res.end(bytes);
}
