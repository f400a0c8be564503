/** A header from undici's raw `[name, value, name, value…]` list (Buffers or strings). */
export function rawHeader(raw: unknown, name: string): string | undefined {
  if (!Array.isArray(raw)) return undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key: unknown = raw[i];
    // Compare lengths first: most names are not the one asked for, and need no decoding.
    if ((key as { length?: number } | null)?.length !== name.length) continue;
    if (String(key).toLowerCase() === name) return String(raw[i + 1]);
  }
  return undefined;
}

/** A header from undici's parsed headers object (lower-case keys, string or string[] values). */
export function objectHeader(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value = (headers as Record<string, unknown>)[name];
  return Array.isArray(value) ? value.join(', ') : value === undefined ? undefined : String(value);
}
