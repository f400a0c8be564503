/** A header from undici's raw `[name, value, name, value…]` list (Buffers or strings). */
export function rawHeader(raw: unknown, name: string): string | undefined {
  if (!Array.isArray(raw)) return undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key: unknown = raw[i];
    // Compare lengths first: most names are not the one asked for. Bytes are compared as they are, never decoded.
    if ((key as { length?: number } | null)?.length !== name.length) continue;
    if (key instanceof Uint8Array ? isNameBytes(key, name) : String(key).toLowerCase() === name) return String(raw[i + 1]);
  }
  return undefined;
}

/** Whether header-name bytes spell `name` (lower-case ASCII) in any case. */
function isNameBytes(bytes: Uint8Array, name: string): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    // ASCII A-Z to a-z; any other byte stays as it is.
    if ((byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte) !== name.charCodeAt(i)) return false;
  }
  return true;
}

/** A header from undici's parsed headers object (lower-case keys, string or string[] values). */
export function objectHeader(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value = (headers as Record<string, unknown>)[name];
  return Array.isArray(value) ? value.join(', ') : value === undefined ? undefined : String(value);
}
