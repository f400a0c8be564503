import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Logger } from '@costctl/otel';

/** Where a command runs: the process's working directory, environment and stdout. */
export interface CommandContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  out(text: string): void;
  /** What the store logs through while a command uses it. */
  logger?: Logger;
}

/** The exit code of a command that could not use the store (Redis, or the state directory): nothing was changed. */
export const STORE_UNAVAILABLE_EXIT = 5;

/** A command reports a store failure itself, in one line: the store's own log lines would repeat it. */
export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A subcommand: parses its own arguments and returns the exit code. */
export type Command = (args: string[], context: CommandContext) => Promise<number>;

/** Bad usage: the message is shown with the usage text, exit code 2. */
export class UsageError extends Error {}

/** `parseArgs` that reports bad options as a `UsageError`. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, positionals = 0) {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true });
    if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`);
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }
}
