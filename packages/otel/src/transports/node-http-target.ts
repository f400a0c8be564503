import http from 'node:http';
import https from 'node:https';

/** Where a `node:http` request goes, in the terms `CallObserver` matches on. */
export interface HttpTarget {
  method: string;
  /** `scheme://host[:port]`, as `URL.origin` writes it. */
  origin: string;
  /** `host[:port]`, as `URL.host` writes it. */
  host: string;
  /** The path with its query string. */
  path: string;
}

/** The options Node's `ClientRequest` builds from `request()`'s arguments. */
export type RequestOptions = Record<string | symbol, unknown>;

/** How a request will get its socket: the agent Node would use, or the app's `createConnection`. */
export type SocketSource = { kind: 'agent'; agent: http.Agent } | { kind: 'createConnection'; createConnection: (...args: unknown[]) => unknown };

/** Node's own test for a URL-like first argument (`isURL` in lib/internal/url.js). */
function isUrlLike(value: unknown): value is URL {
  const url = value as { href?: unknown; protocol?: unknown; auth?: unknown; path?: unknown } | null | undefined;
  return Boolean(url?.href && url.protocol && url.auth === undefined && url.path === undefined);
}

/**
 * The options `http.request(url?, options?, cb?)` resolves to: the URL's
 * fields overlaid with the options object, as Node merges them. Undefined
 * when the arguments are not ones Node accepts (Node then throws its own error).
 *
 * @example
 * mergedOptions(['https://api.openai.com/v1/chat/completions', { method: 'POST' }])
 * // { protocol: 'https:', hostname: 'api.openai.com', path: '/v1/chat/completions', method: 'POST' }
 */
export function mergedOptions(args: readonly unknown[]): RequestOptions | undefined {
  const first = args[0];
  const second = args[1];
  if (typeof first === 'string' || isUrlLike(first)) {
    const parts = typeof first === 'string' ? partsOfString(first) : partsOf(first);
    if (parts === null) return undefined;
    const fromUrl: RequestOptions = { protocol: parts.protocol, hostname: parts.hostname, path: parts.path };
    if (parts.port !== undefined) fromUrl.port = parts.port;
    return second !== null && typeof second === 'object' ? Object.assign(fromUrl, second) : fromUrl;
  }
  return first !== null && typeof first === 'object' ? (first as RequestOptions) : undefined;
}

/** The fields of Node's urlToHttpOptions() that are read here, without the rest it builds. */
interface UrlParts {
  protocol: string;
  hostname: string;
  path: string;
  port: number | undefined;
}

function partsOf(url: URL): UrlParts {
  const hostname = typeof url.hostname === 'string' && url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    protocol: url.protocol,
    hostname,
    path: `${url.pathname ?? ''}${url.search ?? ''}`,
    port: url.port !== '' && url.port !== undefined ? Number(url.port) : undefined,
  };
}

/** Parts of URL strings already parsed: an app calls the same few URLs again and again. */
const partsByString = new Map<string, UrlParts | null>();
/** Past this many distinct URLs (ids in paths), the parts start over rather than grow. */
const MAX_PARTS = 512;

function partsOfString(text: string): UrlParts | null {
  let parts = partsByString.get(text);
  if (parts === undefined) {
    const url = URL.parse(text);
    // Frozen: shared by every request to this URL.
    parts = url === null ? null : Object.freeze(partsOf(url));
    if (partsByString.size >= MAX_PARTS) partsByString.clear();
    partsByString.set(text, parts);
  }
  return parts;
}

/**
 * The socket source Node's `ClientRequest` would pick for `options` (the same
 * rules, in the same order), or undefined for an agent Node would reject.
 *
 * @example
 * socketSource({}, true) // { kind: 'agent', agent: https.globalAgent }
 * socketSource({ agent: false }, false) // { kind: 'agent', agent: <a new http.Agent> }
 */
export function socketSource(options: RequestOptions, secure: boolean): SocketSource | undefined {
  const agent = options.agent;
  const defaultAgent = defaultAgentOf(options, secure);
  if (agent === false) return { kind: 'agent', agent: new (defaultAgent.constructor as typeof http.Agent)() };
  if (agent === null || agent === undefined) {
    const createConnection = options.createConnection;
    return typeof createConnection === 'function'
      ? { kind: 'createConnection', createConnection: createConnection as (...args: unknown[]) => unknown }
      : { kind: 'agent', agent: defaultAgent };
  }
  return typeof (agent as { addRequest?: unknown }).addRequest === 'function' ? { kind: 'agent', agent: agent as http.Agent } : undefined;
}

/** The agent Node falls back on: https.request always sets its own global agent; http.request honours `_defaultAgent`. */
function defaultAgentOf(options: RequestOptions, secure: boolean): http.Agent {
  return secure ? https.globalAgent : ((options._defaultAgent as http.Agent | undefined) ?? http.globalAgent);
}

/**
 * Where the request goes, read as Node reads `options` (protocol, host,
 * port, path, method), or undefined for a Unix socket. An absolute-form path
 * (a request to a forward proxy) names the real target.
 *
 * @example
 * requestTarget({ hostname: '127.0.0.1', port: 8080, path: '/v1/messages', method: 'post' }, false)
 * // { method: 'POST', origin: 'http://127.0.0.1:8080', host: '127.0.0.1:8080', path: '/v1/messages' }
 */
export function requestTarget(options: RequestOptions, secure: boolean): HttpTarget | undefined {
  if (options.socketPath) return undefined;
  const method = typeof options.method === 'string' && options.method !== '' ? options.method.toUpperCase() : 'GET';
  const path = typeof options.path === 'string' && options.path !== '' ? options.path : '/';
  if (path.charCodeAt(0) !== 47 /* '/' */ && /^https?:\/\//i.test(path)) {
    const url = URL.parse(path);
    return url === null ? undefined : { method, origin: url.origin, host: url.host, path: `${url.pathname}${url.search}` };
  }
  const protocol = typeof options.protocol === 'string' && options.protocol !== '' ? options.protocol.toLowerCase() : secure ? 'https:' : 'http:';
  const hostname = String(options.hostname || options.host || 'localhost').toLowerCase();
  const port = Number(options.port || options.defaultPort || agentPort(options, secure) || 80);
  const bracketed = hostname.includes(':') && hostname.charCodeAt(0) !== 91 /* '[' */ ? `[${hostname}]` : hostname;
  const host = port === (protocol === 'https:' ? 443 : 80) ? bracketed : `${bracketed}:${port}`;
  return { method, origin: `${protocol}//${host}`, host, path };
}

/** The `defaultPort` of the agent Node will use; none with the app's own createConnection. */
function agentPort(options: RequestOptions, secure: boolean): unknown {
  const agent = options.agent;
  if (agent !== null && typeof agent === 'object') return (agent as { defaultPort?: unknown }).defaultPort;
  if (agent !== false && typeof options.createConnection === 'function') return undefined;
  return (defaultAgentOf(options, secure) as { defaultPort?: unknown }).defaultPort;
}

/**
 * `args` with `override` merged into the options argument, in the shape
 * Node reads: `(url, options, cb)` or `(options, cb)`. Node merges the
 * options into a fresh object itself, so the app's own object is never changed.
 *
 * @example
 * withOptions([url, callback], { agent }) // [url, { agent }, callback]
 */
export function withOptions(args: readonly unknown[], override: RequestOptions): unknown[] {
  // Indexed, not destructured: this runs on every billable request, and rest patterns go through the iterator protocol.
  const first = args[0];
  const copy = args.slice();
  if (typeof first === 'string' || isUrlLike(first)) {
    const second = args[1];
    if (second !== null && typeof second === 'object') copy[1] = { ...second, ...override };
    else copy.splice(1, 0, override);
  } else {
    copy[0] = { ...(first as RequestOptions), ...override };
  }
  return copy;
}
