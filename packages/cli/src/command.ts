import type { LoadOptions, Logger } from '@costctl/otel';

/** Where a command runs: the process's working directory, environment and stdout. */
export interface CommandContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  out(text: string): void;
  /** The terminal's size when stdout is one: charts fit its width, `--watch` redraws in place on it. */
  terminal?: Terminal | undefined;
  /** What the store logs through while a command uses it. */
  logger?: Logger;
  /** Told of a `COSTCTL_*` variable no setting reads (a typo such as COSTCTL_DAILY_LIMT_USD), with the name it is nearest. */
  onWarning?: LoadOptions['onWarning'];
}

/** A terminal's size in characters. */
export interface Terminal {
  columns: number;
  rows: number;
}

/** A command's options as parsed from its command line: each command names the ones it reads. */
export type Options = Record<string, string | boolean | undefined>;

/** A subcommand: reads its parsed options and returns the exit code. */
export type Command<O = Options> = (options: O, context: CommandContext) => Promise<number>;

/** The exit code of a command that could not use the store (Redis, or the state directory): nothing was changed. */
export const STORE_UNAVAILABLE_EXIT = 5;

/** Exit code of bad usage or configuration: the message names the option, key or variable. */
export const USAGE_EXIT = 2;

/** A command reports a store failure itself, in one line: the store's own log lines would repeat it. */
export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Bad usage: the message is shown with where to read the command's usage, exit code 2. */
export class UsageError extends Error {}
