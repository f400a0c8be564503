/** `node:sqlite`, loaded without printing into the app's stderr. */
export type Sqlite = typeof import('node:sqlite');

let loaded: Sqlite | undefined;

/**
 * Loads `node:sqlite` once. On Node 22 the first load emits
 * `ExperimentalWarning: SQLite is an experimental feature`, which would land
 * on the app's stderr although the app never asked for SQLite; exactly that
 * warning is dropped, during the synchronous load only. Every other warning
 * passes through untouched.
 *
 * @example
 * const { DatabaseSync } = loadSqlite();
 * const db = new DatabaseSync(':memory:');
 */
export function loadSqlite(): Sqlite {
  if (loaded !== undefined) return loaded;
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: unknown, ...args: unknown[]): void {
    if (isSqliteExperimentalWarning(args[0], args[1])) return;
    Reflect.apply(emitWarning, this, args);
  } as typeof process.emitWarning;
  try {
    loaded = process.getBuiltinModule('node:sqlite');
    return loaded;
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** `emitWarning(warning, type)` or `emitWarning(warning, { type })`, with the warning a string or an Error. */
function isSqliteExperimentalWarning(warning: unknown, typeOrOptions: unknown): boolean {
  const type =
    warning instanceof Error
      ? warning.name
      : typeof typeOrOptions === 'string'
        ? typeOrOptions
        : typeof typeOrOptions === 'object' && typeOrOptions !== null && 'type' in typeOrOptions
          ? typeOrOptions.type
          : undefined;
  const message = warning instanceof Error ? warning.message : String(warning);
  return type === 'ExperimentalWarning' && message.includes('SQLite');
}
