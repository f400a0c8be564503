import type { MeterConfig } from '../../config/schema.js';
import { hostPattern, normaliseHost } from '../registry.js';
import type { ProviderAdapter, ProviderCall } from '../types.js';
import { meterAdapter } from './meter-adapter.js';

/** A request recognised as a call to a metered API. */
export interface MeteredCall {
  adapter: ProviderAdapter;
  call: ProviderCall;
}

/**
 * Finds the metered API a request calls: a Map get by host (a short list
 * of `*` hosts after it), then each of that host's meters in config order,
 * the first whose method and path glob match winning.
 *
 * @example
 * const meters = new MeterMatcher([{ name: 'serpapi', host: 'serpapi.com', path: '/search*', price: { perRequest: 0.01 } }]);
 * meters.match('GET', 'serpapi.com', '/search.json')?.adapter.name // 'serpapi'
 */
export class MeterMatcher {
  readonly #byHost = new Map<string, ProviderAdapter[]>();
  readonly #byPattern: (readonly [RegExp, ProviderAdapter])[] = [];

  constructor(meters: readonly MeterConfig[]) {
    for (const meter of meters) {
      const adapter = meterAdapter(meter);
      if (meter.host.includes('*')) this.#byPattern.push([hostPattern(meter.host), adapter]);
      else this.#byHost.set(meter.host, [...(this.#byHost.get(meter.host) ?? []), adapter]);
    }
  }

  /** True when no meter is configured: the transport then skips the lookup. */
  get empty(): boolean {
    return this.#byHost.size === 0 && this.#byPattern.length === 0;
  }

  /** True when a meter is configured for this host, whatever the method and path. */
  serves(host: string): boolean {
    const name = normaliseHost(host);
    return this.#byHost.has(name) || this.#byPattern.some(([pattern]) => pattern.test(name));
  }

  /** The metered call `method host path` is, or undefined. `path` has no query string. */
  match(method: string, host: string, path: string): MeteredCall | undefined {
    const name = normaliseHost(host);
    for (const adapter of this.#byHost.get(name) ?? []) {
      const call = adapter.matchCall(method, path);
      if (call !== undefined) return { adapter, call };
    }
    for (const [pattern, adapter] of this.#byPattern) {
      if (!pattern.test(name)) continue;
      const call = adapter.matchCall(method, path);
      if (call !== undefined) return { adapter, call };
    }
    return undefined;
  }
}
