import type { Endpoint, MeterConfig } from '../config/schema.js';
import { MeterMatcher } from '../providers/meters/matcher.js';
import { adapterByName, adapterForHost } from '../providers/registry.js';
import type { ProviderAdapter, ProviderCall } from '../providers/types.js';

/** A request recognised as a billable call to a known provider. */
export interface MatchedCall {
  adapter: ProviderAdapter;
  call: ProviderCall;
}

/**
 * Recognises billable calls by host (the providers' public APIs), by
 * configured base URLs (proxies, self-hosted and OpenAI-compatible servers)
 * and by the config's metered APIs (host, method and path glob).
 * Each lookup is a Map get by host/origin; only configured endpoints on the
 * same origin are compared by path prefix.
 */
export class EndpointMatcher {
  readonly #byOrigin = new Map<string, { pathPrefix: string; adapter: ProviderAdapter }[]>();
  /** Metered APIs from the config, looked up first: a declared host and path is the most specific match. */
  readonly #meters: MeterMatcher | undefined;
  /** Answers already given: an app calls the same few URLs again and again, most of them not a provider's. */
  readonly #matched = new Map<string, MatchedCall | null>();

  constructor(endpoints: readonly Endpoint[], meters: readonly MeterConfig[] = []) {
    const matcher = new MeterMatcher(meters);
    this.#meters = matcher.empty ? undefined : matcher;
    for (const endpoint of endpoints) {
      const adapter = adapterByName(endpoint.provider);
      if (adapter === undefined) continue;
      const url = new URL(endpoint.baseUrl);
      const list = this.#byOrigin.get(url.origin) ?? [];
      list.push({ pathPrefix: url.pathname.replace(/\/+$/, ''), adapter });
      // Longest prefix first, so a more specific base URL wins.
      list.sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
      this.#byOrigin.set(url.origin, list);
    }
  }

  /**
   * The billable call `method origin+path` is, or undefined.
   *
   * @param origin `scheme://host[:port]`, as in `URL.origin`
   * @param path the path, with or without its query string
   */
  match(method: string, origin: string, host: string, path: string): MatchedCall | undefined {
    const query = path.indexOf('?');
    const pathname = query === -1 ? path : path.slice(0, query);
    const key = `${method}\u0000${origin}\u0000${host}\u0000${pathname}`;
    let matched = this.#matched.get(key);
    if (matched === undefined) {
      const found = this.#lookup(method, origin, host, pathname);
      // Shared by every request it answers: frozen, so no call can change another's.
      matched = found === undefined ? null : Object.freeze(found);
      if (this.#matched.size >= MAX_MATCHED) this.#matched.clear();
      this.#matched.set(key, matched);
    }
    return matched ?? undefined;
  }

  #lookup(method: string, origin: string, host: string, pathname: string): MatchedCall | undefined {
    const metered = this.#meters?.match(method, host, pathname);
    if (metered !== undefined) return metered;
    const custom = this.#byOrigin.get(origin);
    if (custom !== undefined) {
      for (const { pathPrefix, adapter } of custom) {
        if (pathname === pathPrefix || pathname.startsWith(`${pathPrefix}/`)) return matchCall(adapter, method, pathname);
      }
    }
    const adapter = adapterForHost(host);
    return adapter === undefined ? undefined : matchCall(adapter, method, pathname);
  }
}

/** Past this many distinct requests (ids in paths), the answers start over rather than grow. */
const MAX_MATCHED = 512;

function matchCall(adapter: ProviderAdapter, method: string, pathname: string): MatchedCall | undefined {
  const call = adapter.matchCall(method.toUpperCase(), pathname);
  return call === undefined ? undefined : { adapter, call };
}
