/**
 * Every error costctl raises, one class per failure, each with a stable
 * `code`. Each error carries a brand (`Symbol.for`, shared across realms and
 * copies) naming its classes, so `instanceof` and `isCostctlError` hold for
 * an error from another copy of the package installed side by side.
 */

const brand = Symbol.for('costctl.error');
const kinds = Symbol.for('costctl.error.kinds');

/** The codes of every costctl error. */
export type CostctlErrorCode =
  | 'COSTCTL_CONFIG_INVALID'
  | 'COSTCTL_ARGUMENT_INVALID'
  | 'COSTCTL_BUDGET_EXCEEDED'
  | 'COSTCTL_GATE_TRIPPED'
  | 'COSTCTL_STORE_UNAVAILABLE'
  | 'COSTCTL_NODE_UNSUPPORTED'
  | 'COSTCTL_DISABLED';

/**
 * Base class of every costctl error.
 *
 * @example
 * try { await costctl.gate.trip({ reason }); } catch (err) { if (err instanceof CostctlError) console.error(err.code, err.message); }
 */
export class CostctlError extends Error {
  readonly code: CostctlErrorCode;
  readonly [brand] = true;
  /** The names of this error's classes, from its own up to `CostctlError`: what `instanceof` reads across copies. */
  readonly [kinds]: readonly string[];

  constructor(code: CostctlErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this[kinds] = classNames(new.target);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const names = (value as { [kinds]?: unknown })[kinds];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof, a subclass included
    return Array.isArray(names) ? names.includes(this.name) : Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

function classNames(target: abstract new (...args: never[]) => unknown): string[] {
  const names: string[] = [];
  for (let at: unknown = target; typeof at === 'function' && at !== Error; at = Object.getPrototypeOf(at)) {
    names.push(at.name);
    if (at === CostctlError) break;
  }
  return names;
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
 * A function of the API was given an argument it cannot use: the message
 * names the argument, the value and what is allowed.
 *
 * @example
 * try { calendarWindow('day', Date.now(), 'Mars/Olympus'); } catch (err) { if (err instanceof CostctlArgumentError) console.error(err.message); }
 */
export class CostctlArgumentError extends CostctlError {
  constructor(message: string) {
    super('COSTCTL_ARGUMENT_INVALID', message);
  }
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

/** The unit a budget rule counts in. */
export type BudgetUnit = 'usd' | 'tokens' | 'requests';

/**
 * Where a blocked call's worst case came from: the output tokens the request
 * asked for (`max_tokens`, or the provider's name for it), the configured
 * `defaultMaxOutputTokens` because the request set none, a metered API's
 * price, the dollars given to `reserve()`, or one request (request-count rules).
 */
export type ReserveSource = 'max_tokens' | 'default_max_tokens' | 'meter' | 'given' | 'request';

/** What stopped a call: a budget rule, or the emergency gate. */
export interface BlockReason {
  code: 'COSTCTL_BUDGET_EXCEEDED' | 'COSTCTL_GATE_TRIPPED';
  /** The rule that would have been exceeded, or `gate`. */
  rule: string;
  /** Spend (committed and reserved) in the rule's window before this call, in the rule's unit. */
  spent: number;
  limit: number;
  /** The rule's unit (budget blocks). */
  unit?: BudgetUnit;
  /** What this call would have reserved: its worst case, in the rule's unit (budget blocks). */
  reserve?: number;
  /** Where that worst case came from (budget blocks). */
  reserveSource?: ReserveSource;
  /** The output tokens the worst case counts: the request's `max_tokens`, or the configured default. */
  maxOutputTokens?: number;
  /** True when the worst case in USD is a fallback estimate: the price data does not know the model. */
  fallbackPrice?: boolean;
  /**
   * `provider/model` of a call blocked because the price data does not know
   * its model and `unknownModel` is `block`; `spent` is then not read (0).
   */
  unpricedModel?: string;
  /** The rule's window as configured: `day`, `rolling:15m`, `total`… */
  window?: string;
  /** When the rule's window resets (calendar), or by when all spend counted now has left it (rolling); undefined for `total`. */
  resetsAt?: number;
  /** The time zone of the rule's calendar windows, in which `resetsAt` is told. */
  timeZone?: string;
  /** Why the gate was tripped, for gate blocks. */
  reason?: string;
  /** Who tripped the gate: an operator, `rule:<name>`, or `costctl` when the store cannot be read (gate blocks). */
  actor?: string;
  /** When the gate was tripped, ms since epoch (gate blocks). */
  since?: number;
}

/**
 * A call was blocked before it left the process (`COSTCTL_BLOCK_MODE=throw`).
 * Its message says why in money and what to do; its fields say the same for code.
 *
 * @example
 * try { await openai.chat.completions.create(body); }
 * catch (err) { if (err instanceof CostctlBlockedError && err.code === 'COSTCTL_GATE_TRIPPED') pageSomeone(err.actor, err.reason); }
 */
export class CostctlBlockedError extends CostctlError {
  readonly rule: string;
  /** Spend in the rule's window before this call, in `unit`. */
  readonly spent: number;
  readonly limit: number;
  readonly unit: BudgetUnit | undefined;
  /** This call's worst case, in `unit`: what it would have reserved. */
  readonly reserve: number | undefined;
  readonly reserveSource: ReserveSource | undefined;
  readonly maxOutputTokens: number | undefined;
  readonly window: string | undefined;
  /** When the window resets; undefined for `total` windows and gate blocks. */
  readonly resetsAt: Date | undefined;
  readonly timeZone: string | undefined;
  /** Why the gate was tripped (gate blocks). */
  readonly reason: string | undefined;
  /** Who tripped the gate (gate blocks). */
  readonly actor: string | undefined;
  /** When the gate was tripped (gate blocks). */
  readonly since: Date | undefined;

  constructor(block: BlockReason) {
    super(block.code, blockMessage(block));
    this.rule = block.rule;
    this.spent = block.spent;
    this.limit = block.limit;
    this.unit = block.unit;
    this.reserve = block.reserve;
    this.reserveSource = block.reserveSource;
    this.maxOutputTokens = block.maxOutputTokens;
    this.window = block.window;
    this.resetsAt = block.resetsAt === undefined ? undefined : new Date(block.resetsAt);
    this.timeZone = block.timeZone;
    this.reason = block.reason;
    this.actor = block.actor;
    this.since = block.since === undefined ? undefined : new Date(block.since);
  }
}

/**
 * The explanation of a block, shared by the error, the synthetic response
 * and the log line: spend so far, this call's worst case and where it came
 * from, the limit, in money, and what to do next.
 *
 * @example
 * blockMessage({ code: 'COSTCTL_BUDGET_EXCEEDED', rule: 'daily_usd', spent: 0.0000894, limit: 0.0001, unit: 'usd',
 *   reserve: 0.0000216, reserveSource: 'max_tokens', maxOutputTokens: 24, window: 'day', resetsAt: Date.UTC(2026, 11, 8), timeZone: 'UTC' })
 * // 'costctl blocked this call: budget rule "daily_usd" (day) has $0.0000894 spent of its $0.0001 limit, and this call could cost up to
 * //  $0.0000216 (its worst case with max_tokens 24 from the request), which would pass the limit. To go on: lower max_tokens,
 * //  raise the limit of "daily_usd" or wait until the window resets at 2026-12-08 00:00 UTC.'
 */
export function blockMessage(block: BlockReason): string {
  return block.code === 'COSTCTL_GATE_TRIPPED' ? gateMessage(block) : budgetMessage(block);
}

function gateMessage(block: BlockReason): string {
  const when = block.since === undefined ? '' : ` at ${formatInstant(block.since, 'UTC')}`;
  if (block.actor === 'costctl') {
    return `costctl blocked this call: the emergency gate closed itself${when}: costctl cannot use its store (${block.reason ?? 'no reason given'}). Calls to paid APIs are blocked until the store answers again: fix the store, or set onStoreUnreachable: open to run unbudgeted`;
  }
  const by = block.actor === undefined ? '' : ` by ${block.actor}`;
  return `costctl blocked this call: the emergency gate was tripped${by}${when} (${block.reason ?? 'no reason given'}). Calls to paid APIs are blocked until an operator resets it: costctl gate reset --reason "…"`;
}

function budgetMessage(block: BlockReason): string {
  if (block.unpricedModel !== undefined) {
    const [provider = '', model = ''] = block.unpricedModel.split(/\/(.*)/s);
    return `costctl blocked this call: the price data has no price for ${provider} model "${model}", and budget rule "${block.rule}" counts dollars (unknownModel: block). To go on: add its price to the config file under prices.${provider}["${model}"] (USD per million tokens), or set unknownModel: estimate (COSTCTL_UNKNOWN_MODEL=estimate) to count it at the provider's highest known price.`;
  }
  const unit = block.unit ?? 'usd';
  const reserve = block.reserve;
  const shown = amounts(unit, [block.spent, block.limit, reserve ?? 0]);
  const [spent, limit, worst] = shown;
  const window = block.window === undefined ? '' : ` (${block.window})`;
  const full = block.spent >= block.limit;
  const used = unit === 'usd' ? `has ${spent} spent of its ${limit} limit` : `has counted ${spent} of its limit of ${limit}`;
  const head = `costctl blocked this call: budget rule "${block.rule}"${window} ${used}`;
  const cost = unit === 'usd' ? 'could cost up to' : 'would count up to';
  const why =
    reserve === undefined
      ? ', so this call would pass it'
      : full
        ? `, so no call fits until the window frees room (this one ${cost} ${worst}${source(block)})`
        : `, and this call ${cost} ${worst}${source(block)}, which would pass the limit`;
  const remedies: string[] = [];
  if (!full && unit !== 'requests' && block.reserveSource === 'default_max_tokens')
    remedies.push('set max_tokens on the request (or a lower defaultMaxOutputTokens)');
  else if (!full && unit !== 'requests' && block.reserveSource === 'max_tokens') remedies.push('lower max_tokens');
  remedies.push(`raise the limit of "${block.rule}"`);
  const reset = resetText(block);
  if (reset !== undefined) remedies.push(reset);
  return `${head}${why}. To go on: ${joinOr(remedies)}.`;
}

function source(block: BlockReason): string {
  const fallback = block.fallbackPrice === true ? ", priced at the provider's highest known price because the price data does not know the model" : '';
  switch (block.reserveSource) {
    case 'max_tokens':
      return ` (its worst case with max_tokens ${block.maxOutputTokens ?? '?'} from the request${fallback})`;
    case 'default_max_tokens':
      return ` (its worst case with the default of ${block.maxOutputTokens ?? '?'} output tokens, as the request sets no max_tokens${fallback})`;
    case 'meter':
      return ' (its price as configured for this API)';
    case 'given':
      return ' (the worst case given to reserve())';
    default:
      return fallback === '' ? '' : ` (${fallback.slice(2)})`;
  }
}

function resetText(block: BlockReason): string | undefined {
  const window = block.window;
  if (window === undefined || window === 'total') return undefined;
  if (block.resetsAt === undefined) return undefined;
  const at = formatInstant(block.resetsAt, block.timeZone ?? 'UTC');
  return window.startsWith('rolling:')
    ? `wait while the ${window} window slides (all spend counted now has left it by ${at})`
    : `wait until the window resets at ${at}`;
}

function joinOr(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/**
 * Amounts shown side by side, in one precision so that different amounts
 * never print alike: dollars with at least cents and three significant
 * digits of the smallest non-zero amount; tokens and requests as counts.
 */
function amounts(unit: BudgetUnit, values: readonly number[]): string[] {
  if (unit !== 'usd') return values.map((value) => `${formatCount(value)} ${unit === 'tokens' ? 'tokens' : 'requests'}`);
  let decimals = 2;
  for (const value of values) {
    if (value > 0 && Number.isFinite(value)) decimals = Math.max(decimals, 2 - Math.floor(Math.log10(value)));
  }
  decimals = Math.min(decimals, 12);
  return values.map((value) => formatUsd(value, decimals));
}

function formatUsd(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return 'an unknown amount';
  const fixed = value.toFixed(decimals);
  // Trailing zeros past the cents say nothing.
  const trimmed = fixed.replace(/(\.\d\d\d*?)0+$/, '$1');
  const [whole = '0', fraction] = trimmed.split('.');
  return `$${Number(whole).toLocaleString('en-US')}${fraction === undefined ? '' : `.${fraction}`}`;
}

function formatCount(value: number): string {
  if (!Number.isFinite(value)) return 'an unknown number of';
  return Number(value.toFixed(2)).toLocaleString('en-US');
}

/** An instant as the zone's clock shows it, to the minute: '2026-12-08 00:00 Europe/Paris'. */
function formatInstant(at: number, timeZone: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(at);
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${timeZone}`;
  } catch {
    return new Date(at).toISOString();
  }
}

/** True for any costctl error, from this copy of the package or another. */
export function isCostctlError(value: unknown): value is CostctlError {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true;
}
