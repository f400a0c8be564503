import { UsageError } from './command.js';

/** `2026-11-01`, `2026-11-01T12:00:00Z`, or a time ago such as `7d`, `12h`, `30m`. */
export function parseWhen(text: string | undefined, option: string, now = Date.now()): Date | undefined {
  if (text === undefined) return undefined;
  const ago = /^(\d+)([dhm])$/.exec(text);
  if (ago) return new Date(now - Number(ago[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[ago[2] as 'd' | 'h' | 'm']);
  const at = Date.parse(text);
  if (Number.isNaN(at))
    throw new UsageError(`--${option} "${text}": expected a date such as 2026-11-01, a time such as 2026-11-01T12:00:00Z, or an age such as 7d`);
  return new Date(at);
}
