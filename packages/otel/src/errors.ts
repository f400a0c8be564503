/**
 * Every error costctl raises, one class per failure, each with a stable
 * `code`. A brand symbol makes `isCostctlError` work across copies of the
 * package (two versions installed side by side), where `instanceof` cannot.
 */

const brand = Symbol.for('costctl.error');

/** The codes of every costctl error. */
export type CostctlErrorCode = 'COSTCTL_CONFIG_INVALID';

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

/** True for any costctl error, from this copy of the package or another. */
export function isCostctlError(value: unknown): value is CostctlError {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;
}
