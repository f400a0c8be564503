import type { MeterConfig } from '../../config/schema.js';
import type { CallCost } from '../../model/cost.js';
import { guardReader } from '../guarded-reader.js';
import type { HeaderLookup, ProviderAdapter, ProviderCall, RequestFacts, ResponseFacts, ResponseReader } from '../types.js';
import { JsonCountReader, KnownCountReader } from './meter-reader.js';
import { pathGlob } from './path-glob.js';
import { headerCount } from './unit-count.js';

/** The `api` of every metered call: one wire format, the meter's own. */
const METER_API = 'meter';

/**
 * A provider adapter for a metered API from the config: its calls are
 * matched by method and path glob, never read for tokens, and priced
 * `perRequest + perUnit × units` with the count read from a response header
 * or JSON field. An answer without that count is `unit_missing`, never $0.
 *
 * @example
 * const serpapi = meterAdapter({ name: 'serpapi', host: 'serpapi.com', path: '/search*', method: 'GET', price: { perRequest: 0.01 } });
 * serpapi.matchCall('GET', '/search.json') // { operation: 'request', api: 'meter' }
 */
export function meterAdapter(meter: MeterConfig): ProviderAdapter {
  const path = meter.path ?? '/**';
  const glob = pathGlob(path);
  const call: ProviderCall = Object.freeze({ operation: meter.operation ?? 'request', api: METER_API });
  const { perRequest = 0, perUnit, unit, maxUnits = 0 } = meter.price;
  const unitName = unit === undefined ? undefined : (unit.name ?? 'units');
  const jsonPath = unit?.json?.split('.');

  const createReader = (_request: RequestFacts, _contentType: string | undefined, header?: HeaderLookup): ResponseReader => {
    if (unitName === undefined) return new KnownCountReader(undefined, undefined);
    if (unit?.header !== undefined) return new KnownCountReader(unitName, headerCount(header, unit.header));
    return guardReader(new JsonCountReader(unitName, jsonPath ?? []));
  };

  const price = (request: RequestFacts, response: ResponseFacts): CallCost => {
    const usage = response.usage ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
    const model = request.model;
    // An empty record keeps the call out of the token histogram: a metered call has no tokens.
    const units = response.units ?? {};
    if (perUnit === undefined || unitName === undefined)
      return { usage, model, cost: { usd: perRequest, source: 'price_table', pricedModel: meter.name }, unpricedReason: undefined, units };
    const count = response.units?.[unitName];
    if (count === undefined) return { usage, model, cost: undefined, unpricedReason: 'unit_missing', units };
    return { usage, model, cost: { usd: perRequest + perUnit * count, source: 'price_table', pricedModel: meter.name }, unpricedReason: undefined, units };
  };

  return Object.freeze({
    name: meter.name,
    pricingId: meter.name,
    hosts: Object.freeze([meter.host]),
    catalog: Object.freeze([{ operation: call.operation, endpoint: `${meter.method ?? 'ANY'} ${path}`, streaming: 'no' as const }]),
    matchCall: (method: string, requestPath: string): ProviderCall | undefined =>
      (meter.method === undefined || method.toUpperCase() === meter.method) && glob.test(requestPath) ? call : undefined,
    readRequest: (matched: ProviderCall): RequestFacts => ({
      operation: matched.operation,
      api: METER_API,
      model: meter.model ?? meter.name,
      stream: false,
      // No tokens: a metered call reserves none against token budgets.
      maxOutputTokens: 0,
      inputTokenEstimate: 0,
    }),
    createReader,
    errorBody: (type: string, message: string) => ({ error: { type, message } }),
    price,
    worstCaseUsd: () => perRequest + (perUnit ?? 0) * maxUnits,
    bodyOptional: unit?.json === undefined,
  });
}
