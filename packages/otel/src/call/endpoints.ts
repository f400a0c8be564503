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
 * An origin seen before is one Map get: an origin where nothing is billable
 * answers at once, any other then looks its method and path up among the
 * answers it gave; only a new path compares configured base URLs by prefix.
 */
export class EndpointMatcher {
  readonly #byOrigin = new Map<string, { pathPrefix: string; adapter: ProviderAdapter }[]>();
  /** Metered APIs from the config, looked up first: a declared host and path is the most specific match. */
  readonly #meters: MeterMatcher | undefined;
  /** What is known of each origin seen: an app calls the same few origins again and again, most of them not a provider's. */
  readonly #origins = new Map<string, OriginRoutes>();

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
    let routes = this.#origins.get(origin);
    if (routes === undefined || routes.host !== host) {
      routes = { host, billable: this.#mayBill(origin, host), byMethod: new Map(), size: 0 };
      if (this.#origins.size >= MAX_ORIGINS) this.#origins.clear();
      this.#origins.set(origin, routes);
    }
    if (!routes.billable) return undefined;
    const query = path.indexOf('?');
    const pathname = query === -1 ? path : path.slice(0, query);
    let byPath = routes.byMethod.get(method);
    if (byPath === undefined) routes.byMethod.set(method, (byPath = new Map()));
    let matched = byPath.get(pathname);
    if (matched === undefined) {
      const found = this.#lookup(method, origin, host, pathname);
      // Shared by every request it answers: frozen, so no call can change another's.
      matched = found === undefined ? null : Object.freeze(found);
      if (routes.size >= MAX_MATCHED) {
        for (const paths of routes.byMethod.values()) paths.clear();
        routes.size = 0;
      }
      byPath.set(pathname, matched);
      routes.size += 1;
    }
    return matched ?? undefined;
  }

  /** Whether any request to this origin can be billable: a meter for its host, a configured base URL on it, or a provider's host. */
  #mayBill(origin: string, host: string): boolean {
    return this.#meters?.serves(host) === true || this.#byOrigin.has(origin) || adapterForHost(host) !== undefined;
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

/** What one origin's requests were found to be. */
interface OriginRoutes {
  /** The host the origin was seen with: another one (a rewritten `Host`) is looked up afresh. */
  host: string;
  /** False when no request to the origin can be billable: most of an app's traffic stops here. */
  billable: boolean;
  /** method → path without query → the answer given. */
  byMethod: Map<string, Map<string, MatchedCall | null>>;
  size: number;
}

/** Past this many distinct requests to one origin (ids in paths), its answers start over rather than grow. */
const MAX_MATCHED = 512;

/** Past this many distinct origins (an app calling many hosts), what is known of them starts over. */
const MAX_ORIGINS = 256;

function matchCall(adapter: ProviderAdapter, method: string, pathname: string): MatchedCall | undefined {
  const call = adapter.matchCall(method.toUpperCase(), pathname);
  return call === undefined ? undefined : { adapter, call };
}
