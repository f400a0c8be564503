/**
 * Every error costctl raises, one class per failure, each with a stable
 * `code`. A brand symbol makes `isCostctlError` work across copies of the
 * package (two versions installed side by side), where `instanceof` cannot.
 */

const brand = Symbol.for('costctl.error');

/** The codes of every costctl error. */
export type CostctlErrorCode =
  | 'COSTCTL_CONFIG_INVALID'
  | 'COSTCTL_BUDGET_EXCEEDED'
  | 'COSTCTL_GATE_TRIPPED'
  | 'COSTCTL_STORE_UNAVAILABLE'
  | 'COSTCTL_NODE_UNSUPPORTED'
  | 'COSTCTL_DISABLED';

/** Base class of every costctl error. */
export class CostctlError extends Error {
  readonly code: CostctlErrorCode;
  readonly [brand] = true;

  constructor(code: CostctlErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem found in the configuration: where, what was given, what is allowed. */
export interface ConfigIssue {
  /** The key as the user wrote it: an environment variable or a config-file path. */
  key: string;
  /** The offending value as given (undefined when the key was missing). */
  value: unknown;
  /** What is allowed, in words. */
  expected: string;
}

/**
 * The configuration is invalid: start-up stops with one message that names
 * every bad key, its value and what is allowed.
 *
 * @example
 * try { loadConfig(); } catch (err) { if (err instanceof ConfigError) console.error(err.message); }
 */
export class ConfigError extends CostctlError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], source: string) {
    super('COSTCTL_CONFIG_INVALID', formatIssues(issues, source));
    this.issues = issues;
  }
}

function formatIssues(issues: readonly ConfigIssue[], source: string): string {
  const lines = issues.map(
    (issue) => `  - ${issue.key}=${issue.value === undefined ? '(unset)' : clip(JSON.stringify(issue.value))}: expected ${issue.expected}`,
  );
  return `costctl: invalid configuration (${source}):\n${lines.join('\n')}`;
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * The store could not be read or written (Redis unreachable, a read-only or
 * full state directory): the change asked for did NOT happen. `where` names
 * the Redis URL (without credentials) or the directory.
 *
 * @example
 * try { await costctl.gate.trip({ reason }); } catch (err) { if (err instanceof CostctlStoreError) console.error(err.message); }
 */
export class CostctlStoreError extends CostctlError {
  readonly where: string;

  constructor(message: string, where: string, options?: ErrorOptions) {
    super('COSTCTL_STORE_UNAVAILABLE', message, options);
    this.where = where;
  }
}

/** What stopped a call: a budget rule, or the emergency gate. */
export interface BlockReason {
  code: 'COSTCTL_BUDGET_EXCEEDED' | 'COSTCTL_GATE_TRIPPED';
  /** The rule that would have been exceeded, or `gate`. */
  rule: string;
  /** Spend (committed and reserved) in the rule's window before this call, in the rule's unit. */
  spent: number;
  limit: number;
  /** Why the gate was tripped, for gate blocks. */
  reason?: string;
}

/**
 * A call was blocked before it left the process (`COSTCTL_BLOCK_MODE=throw`).
 *
 * @example
 * try { await openai.chat.completions.create(body); }
 * catch (err) { if (err instanceof CostctlBlockedError && err.code === 'COSTCTL_GATE_TRIPPED') pageSomeone(); }
 */
export class CostctlBlockedError extends CostctlError {
  readonly rule: string;
  readonly spent: number;
  readonly limit: number;

  constructor(block: BlockReason) {
    super(block.code, blockMessage(block));
    this.rule = block.rule;
    this.spent = block.spent;
    this.limit = block.limit;
  }
}

/** The one-line explanation of a block, shared by the error and the synthetic response. */
export function blockMessage(block: BlockReason): string {
  return block.code === 'COSTCTL_GATE_TRIPPED'
    ? `costctl: the emergency gate is tripped (${block.reason ?? 'no reason given'}); calls to paid APIs are blocked until an operator resets it`
    : `costctl: budget rule "${block.rule}" would be exceeded (spent ${round(block.spent)} of ${round(block.limit)}); the call was blocked before it left`;
}

function round(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** True for any costctl error, from this copy of the package or another. */
export function isCostctlError(value: unknown): value is CostctlError {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;
}
