/**
 * Scenarios: what the fake provider does with one request, picked without
 * custom headers so that a plain SDK client can choose one.
 *
 * - by model suffix: `model: 'gpt-4o-mini+cut'` (see {@link withScenario});
 *   the suffix is stripped from the `model` the response reports;
 * - by path segment: `baseURL: \`${provider.url}/scenario/cut/v1\`` applies to
 *   every call of that client. The model suffix wins when both are given.
 *
 * | scenario | what happens |
 * |---|---|
 * | `normal` | a complete, well-formed answer (the default) |
 * | `cut` | streams: the socket is destroyed after half the content deltas (`ceil(N / 2)`), before the final usage (Anthropic's `message_start` usage has been sent; a gzipped stream is cut 20 ms after its last flush so the client's decompressor delivers it); JSON: destroyed after half the body bytes |
 * | `cut-mid-event` | OpenAI and Anthropic streams: as `cut`, but the socket is destroyed halfway through the next event's bytes, leaving a half-written event; JSON: as `cut` (the cloud fakes answer it as `normal`) |
 * | `cut-after-usage` | every byte is sent (usage, `[DONE]`, `message_stop`…) but the response never ends: it is held open for `holdOpenMs`, then the socket is destroyed |
 * | `stream-error` | streams: status 200, then after half the content deltas the provider's error event (OpenAI `data: {"error":…}` / `event: error`, Anthropic `event: error`), then a clean end; JSON: as `error` |
 * | `error` | status 500 in the provider's error shape |
 * | `error-<status>` | that status (400–599), e.g. `error-429`, `error-529` |
 *
 * Errors carry `x-should-retry: true` for the statuses the SDKs retry
 * (408, 409, 429, 5xx) and `false` otherwise, so the clients' retry counts
 * are those of the real APIs: every attempt is recorded in `provider.requests`.
 */

/** The name of a scenario. */
export type Scenario = 'normal' | 'cut' | 'cut-mid-event' | 'cut-after-usage' | 'stream-error' | 'error' | `error-${number}`;

const SEPARATOR = '+';
const PATH_SEGMENT = 'scenario';
const NAMED: ReadonlySet<string> = new Set(['normal', 'cut', 'cut-mid-event', 'cut-after-usage', 'stream-error', 'error']);
const ERROR_STATUS = /^error-([45]\d\d)$/;

/** The allowed scenario names, in words, for error messages. */
export const SCENARIO_NAMES = 'normal, cut, cut-mid-event, cut-after-usage, stream-error, error, error-<400..599>';

/**
 * The model name that selects `scenario` for `model`.
 *
 * @example
 * await openai.chat.completions.create({ model: withScenario('gpt-4o-mini', 'error-429'), messages });
 */
export function withScenario(model: string, scenario: Scenario): string {
  return scenario === 'normal' ? model : `${model}${SEPARATOR}${scenario}`;
}

/** Splits `gpt-4o-mini+cut` into the model and the scenario text (not yet validated). */
export function splitModel(requested: string): { model: string; scenario: string | undefined } {
  const at = requested.indexOf(SEPARATOR);
  return at === -1 ? { model: requested, scenario: undefined } : { model: requested.slice(0, at), scenario: requested.slice(at + 1) };
}

/** The scenario text of a `/scenario/<name>/` path segment, if any. */
export function scenarioInPath(path: string): string | undefined {
  const segments = path.split('/');
  const at = segments.indexOf(PATH_SEGMENT);
  return at === -1 ? undefined : segments[at + 1];
}

/** The scenario a text names, or undefined when it names none. */
export function parseScenario(text: string): Scenario | undefined {
  if (NAMED.has(text)) return text as Scenario;
  return ERROR_STATUS.test(text) ? (text as Scenario) : undefined;
}

/** The HTTP status a scenario answers a non-streaming request with. */
export function errorStatus(scenario: Scenario): number | undefined {
  if (scenario === 'error' || scenario === 'stream-error') return 500;
  const match = ERROR_STATUS.exec(scenario);
  return match ? Number(match[1]) : undefined;
}
