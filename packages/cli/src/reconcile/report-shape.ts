/**
 * Reading the JSON of an admin report defensively: a page whose shape
 * drifted must fail with the path of what is wrong, never read as $0.
 */

/** An admin report page did not have the documented shape. */
export class ReportShapeError extends Error {}

/** Reads fields of one JSON value, naming `path` in every error. */
export class Shape {
  readonly #value: unknown;
  readonly #path: string;
  readonly #report: string;

  /**
   * @example
   * new Shape(JSON.parse(body), 'OpenAI costs').list('data')
   */
  constructor(value: unknown, report: string, path = '') {
    this.#value = value;
    this.#report = report;
    this.#path = path;
  }

  /** The items of the array at `key`. */
  list(key: string): Shape[] {
    const value = this.#field(key);
    if (!Array.isArray(value)) throw this.#error(key, 'a list', value);
    return value.map((item, i) => new Shape(item, this.#report, `${this.#join(key)}[${i}]`));
  }

  /** The object at `key`, or undefined when it is absent or null. */
  optionalObject(key: string): Shape | undefined {
    const value = this.#field(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw this.#error(key, 'an object', value);
    return new Shape(value, this.#report, this.#join(key));
  }

  /** A number, or a numeric string (amounts come as either). */
  number(key: string): number {
    const value = this.#field(key);
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) throw this.#error(key, 'a number', value);
    return number;
  }

  /** A number, or `fallback` when absent or null. */
  optionalNumber(key: string, fallback = 0): number {
    const value = this.#field(key);
    return value === undefined || value === null ? fallback : this.number(key);
  }

  string(key: string): string {
    const value = this.#field(key);
    if (typeof value !== 'string') throw this.#error(key, 'a string', value);
    return value;
  }

  optionalString(key: string): string | null {
    const value = this.#field(key);
    return value === undefined || value === null ? null : this.string(key);
  }

  #field(key: string): unknown {
    if (typeof this.#value !== 'object' || this.#value === null) throw new ReportShapeError(`${this.#report}: ${this.#path || 'the page'} is not an object`);
    return (this.#value as Record<string, unknown>)[key];
  }

  #join(key: string): string {
    return this.#path === '' ? key : `${this.#path}.${key}`;
  }

  #error(key: string, expected: string, value: unknown): ReportShapeError {
    const shown = value === undefined ? 'missing' : JSON.stringify(value).slice(0, 40);
    return new ReportShapeError(`${this.#report}: ${this.#join(key)} should be ${expected}, got ${shown}; the API may have changed, please report it`);
  }
}
