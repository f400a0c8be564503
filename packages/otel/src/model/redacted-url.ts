/**
 * `redis://user:secret@host:6379/0` → `redis://host:6379/0`: what messages
 * and logs say of a store's URL, never its credentials.
 *
 * @example
 * withoutCredentials('rediss://default:s3cret@cache.example:6380'); // 'rediss://cache.example:6380'
 */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'the configured URL';
  }
}
