import type { Meter } from '@opentelemetry/api';
import { logger } from '../model/logger.js';
import { Attr, Metric } from '../model/otel-names.js';

/** Past this, windows would be attributed to the wrong minute, hour or day. */
const TOLERANCE_MS = 60_000;
/** One warning per provider this often at most, however many calls see the skew. */
const REPEAT_MS = 10 * 60_000;

const lastWarned = new Map<string, number>();
let lastHeader = '';
let lastRemote = Number.NaN;
/** The last skew measured against each provider, in ms (a small integer: no allocation per call): what `costctl.clock.skew` shows. */
const skewMillis = new Map<string, number>();

/**
 * Compares a provider's `Date` response header with the local clock and
 * warns when they differ by more than a minute: budget windows follow the
 * local clock, the provider's bill follows its own.
 *
 * @example
 * checkClockSkew('openai', 'Mon, 23 Nov 2026 10:00:00 GMT', Date.now());
 */
export function checkClockSkew(provider: string, dateHeader: string | undefined, now: number): void {
  if (dateHeader === undefined) return;
  // The header changes once a second: parse each value once.
  if (dateHeader !== lastHeader) {
    lastHeader = dateHeader;
    lastRemote = Date.parse(dateHeader);
  }
  const remote = lastRemote;
  if (Number.isNaN(remote)) return;
  // The header has one-second resolution and was stamped before the bytes travelled.
  const skew = now - remote;
  skewMillis.set(provider, skew);
  if (Math.abs(skew) <= TOLERANCE_MS) return;
  const last = lastWarned.get(provider);
  if (last !== undefined && now - last < REPEAT_MS) return;
  lastWarned.set(provider, now);
  logger.warn(
    `the local clock is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'ahead of' : 'behind'} ${provider}'s; budget windows may be attributed wrongly: sync this host's clock (NTP)`,
    {
      provider,
      skewSeconds: Math.round(skew / 1000),
    },
  );
}

/**
 * Registers `costctl.clock.skew`: for each provider that has answered, how
 * many seconds the local clock was ahead of (positive) or behind (negative)
 * the provider's `Date` header at its last response. The header has
 * one-second resolution and is stamped before the response travels, so a
 * synchronised clock reads between 0 and about 1.
 *
 * @example
 * registerClockSkewGauge(meterProvider.getMeter(METER_NAME));
 */
export function registerClockSkewGauge(meter: Meter): void {
  meter
    .createObservableGauge(Metric.clockSkew, { description: "How far the local clock is ahead of each provider's, at its last response", unit: 's' })
    .addCallback((result) => {
      for (const [provider, millis] of skewMillis) result.observe(millis / 1000, { [Attr.provider]: provider });
    });
}
