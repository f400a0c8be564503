/** Provider-style random ids; only their shape matters. */
import { randomBytes } from 'node:crypto';

/** `prefix` followed by `bytes` random bytes in hex. */
export function newId(prefix: string, bytes: number): string {
  return prefix + randomBytes(bytes).toString('hex');
}
