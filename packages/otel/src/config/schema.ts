import type { z as Zod } from 'zod';
import type { BlockMode } from '../model/block-mode.js';
import { logLevels, type LogLevel } from '../model/logger.js';
import { parseWindow } from '../model/windows.js';
import { blockModes, exporters, LABEL_KEY, ruleActions, ruleUnits, storeKinds, unknownModelModes, unreachableModes } from './options.js';

/**
 * The zod schemas of the config file, built from the `zod` given: start-up
 * builds them only to validate a config file or overrides, so that an app
 * configured by its environment never holds zod on its heap.
 *
 * @example
 * const { fileConfigSchema } = configSchemas(z);
 * fileConfigSchema.safeParse(JSON.parse(text));
 */
export function configSchemas(z: typeof Zod) {
  /** Prices in USD per million tokens, overriding the price data for one model. */
  const modelPriceSchema = z
    .strictObject({
      input: z.number().nonnegative().describe('USD per million input tokens (uncached)'),
      output: z.number().nonnegative().describe('USD per million output tokens'),
      cacheRead: z.number().nonnegative().optional().describe('USD per million tokens read from the prompt cache; defaults to input'),
      cacheWrite: z.number().nonnegative().optional().describe('USD per million tokens written to the prompt cache; defaults to input'),
    })
    .describe('Price of one model, USD per million tokens');

  /** A base URL whose requests are treated as one provider's API. */
  const endpointSchema = z.strictObject({
    provider: z.string().min(1).describe('Provider whose wire format the endpoint speaks, e.g. openai'),
    baseUrl: z.url({ protocol: /^https?$/ }).describe('Every request whose URL starts with this is priced as that provider, e.g. http://127.0.0.1:8080/v1'),
  });

  /** OTel baggage keys that may become metric labels: short, Prometheus-safe. */
  const labelKeySchema = z.string().regex(LABEL_KEY, 'a label key: letters, digits and _, not starting with a digit, at most 63 characters');

  const ruleActionSchema = z.enum(ruleActions);
  const ruleUnitSchema = z.enum(ruleUnits);
  const fraction = z.number().gt(0).lte(1);

  /** One budget rule (docs/budgets-and-gate.md). */
  const ruleSchema = z.strictObject({
    name: z
      .string()
      .regex(/^[a-zA-Z0-9_.:-]{1,64}$/, 'a rule name: letters, digits and _ . : -, at most 64 characters')
      .describe('Names the rule in metrics (costctl_rule), alerts and blocked responses'),
    limit: z.number().positive().describe('The limit, in the unit'),
    unit: ruleUnitSchema.default('usd').describe('usd, tokens (input + output) or requests'),
    window: z
      .string()
      .refine((text) => parseWindow(text) !== undefined, 'a window: minute, hour, day, month, total, or rolling:<n><s|m|h|d> such as rolling:15m')
      .describe('minute, hour, day, month (calendar, in the configured time zone), total, or rolling:15m'),
    scope: z
      .record(z.string(), z.string().min(1))
      .optional()
      .describe('Only calls matching every entry count: provider, model, or an allow-listed label such as tenant'),
    warnAt: fraction.optional().describe('Fraction of the limit at which the rule is at warning (default 0.7)'),
    criticalAt: fraction.optional().describe('Fraction of the limit at which the rule is critical (default 0.9)'),
    action: ruleActionSchema.optional().describe('alert: only alert; block: block calls that would exceed it; trip: trip the emergency gate'),
  });

  /** A prepaid balance with one provider (docs/configuration.md, "Prepaid credits"). */
  const creditSchema = z
    .strictObject({
      balance: z.number().positive().describe('USD bought, as of `since`'),
      since: z.iso
        .date()
        .or(z.iso.datetime({ offset: true }))
        .optional()
        .describe('When the balance was bought (YYYY-MM-DD, or an ISO date-time); only spend from then on draws on it. A new date starts a new balance'),
      warnAt: fraction.optional().describe('Fraction spent at which the balance is at warning (default 0.7)'),
      criticalAt: fraction.optional().describe('Fraction spent at which the balance is critical (default 0.9)'),
      action: ruleActionSchema.optional().describe("At zero: block (default) this provider's calls, trip the gate, or only alert"),
    })
    .describe('Prepaid credits with one provider: a budget rule named credits_<provider> whose remaining balance is exported');

  /** Amounts shown in another currency than USD, the unit of record. */
  const currencySchema = z
    .strictObject({
      code: z
        .string()
        .regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code such as EUR')
        .describe('ISO 4217 code of the display currency, e.g. EUR'),
      perUsd: z.number().positive().describe('Units of the display currency one USD buys (a fixed rate: nothing is fetched at run time)'),
    })
    .describe('Display currency of CLI totals and the costctl.budget.spent_display gauge; USD stays the unit of record');

  // ── Metered APIs (docs/configuration.md, "meters"): any other paid HTTP API, priced per request or per unit ──

  /** A header name as HTTP allows it. */
  const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name such as x-audio-seconds');

  /** Where a metered API's answer says how many units a call used. */
  const meterUnitSchema = z
    .strictObject({
      header: headerName.optional().describe('Response header holding the count, e.g. x-audio-seconds'),
      json: z
        .string()
        .regex(/^[^.\s]+(\.[^.\s]+)*$/, 'a dotted path into the JSON answer, such as usage.characters or results.0.duration')
        .optional()
        .describe('Dotted path to a number in the JSON answer (an array counts its items), e.g. usage.characters'),
      name: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,62}$/, 'a unit name: lower-case letters, digits and _, such as audio_seconds')
        .optional()
        .describe('Name of the unit in costctl_units_total{costctl_unit} and the ledger (default units)'),
    })
    .superRefine((unit, ctx) => {
      if ((unit.header === undefined) === (unit.json === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'exactly one of header or json, e.g. { header: "x-audio-seconds" }' });
      }
    })
    .describe('Where the answer says how many units were used: a response header or a JSON field');

  /** A metered API's price: per request, per unit, or both. */
  const meterPriceSchema = z
    .strictObject({
      perRequest: z.number().nonnegative().optional().describe('USD per call answered 2xx'),
      perUnit: z.number().nonnegative().optional().describe('USD per unit, the unit read from the answer'),
      unit: meterUnitSchema.optional(),
      maxUnits: z
        .number()
        .positive()
        .optional()
        .describe('Most units one call can use: reserved against budgets before it leaves (default 0: only perRequest is reserved)'),
    })
    .superRefine((price, ctx) => {
      if (price.perRequest === undefined && price.perUnit === undefined) {
        ctx.addIssue({ code: 'custom', message: 'perRequest, perUnit with unit, or both, e.g. { perRequest: 0.01 }' });
      }
      if (price.perUnit !== undefined && price.unit === undefined) {
        ctx.addIssue({ code: 'custom', path: ['unit'], message: 'a unit source with perUnit: { header: "…" } or { json: "…" }' });
      }
      if (price.perUnit === undefined && (price.unit !== undefined || price.maxUnits !== undefined)) {
        ctx.addIssue({ code: 'custom', path: ['perUnit'], message: 'a USD price per unit, since unit or maxUnits is set' });
      }
    })
    .describe('USD per request and/or per unit');

  /** One paid HTTP API that is not an LLM provider, matched by host, method and path. */
  const meterSchema = z
    .strictObject({
      name: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'a meter name: lower-case letters, digits and _ . -, at most 63 characters')
        .describe('gen_ai.provider.name of its calls, and the provider a rule scope names, e.g. serpapi'),
      host: z
        .string()
        .regex(
          /^(\*|[a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.(\*|[a-z0-9]([a-z0-9-]*[a-z0-9])?))*$/,
          'a lower-case host name such as serpapi.com; * stands for one label (*.example.com); no port',
        )
        .describe('Host of the API, any port; * stands for one DNS label'),
      path: z
        .string()
        .regex(/^\/\S*$/, 'a path glob starting with /, such as /search* or /v1/**')
        .optional()
        .describe('Path glob, query string left out: * within one segment, ** across segments (default /**)'),
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional().describe('Only this method (default any)'),
      operation: z
        .string()
        .regex(/^[a-z][a-z0-9_.]{0,62}$/, 'an operation name: lower-case letters, digits, _ and .')
        .optional()
        .describe('gen_ai.operation.name of its calls (default request)'),
      model: z.string().min(1).max(128).optional().describe('gen_ai.request.model of its calls (default the meter name)'),
      price: meterPriceSchema,
    })
    .describe('A paid HTTP API priced per request or per unit; budgets and the gate cover it like an LLM call');

  /** How `costctl reconcile` judges the ledger against a provider's bill. */
  const reconcileSchema = z
    .strictObject({
      tolerance: z
        .number()
        .min(0)
        .max(1)
        .optional()
        .describe('Largest difference between the ledger and the bill, as a fraction of the bill, that still counts as a match (default 0.02)'),
    })
    .describe("costctl reconcile: the ledger against the providers' usage and cost reports");

  const storeSchema = z.enum(storeKinds);
  const unreachableSchema = z.enum(unreachableModes);
  const redisSchema = z
    .strictObject({
      url: z
        .url({ protocol: /^rediss?$/ })
        .optional()
        .describe('redis://[user:password@]host:port[/db], or rediss:// for TLS (env COSTCTL_REDIS_URL)'),
      cluster: z
        .boolean()
        .optional()
        .describe(
          'true: url names a node of a Redis Cluster; the store keeps its keys in one slot and uses sharded pub/sub (env COSTCTL_REDIS_CLUSTER, default false)',
        ),
      keyPrefix: z.string().min(1).optional().describe('Put before every key, so services can share one Redis (default costctl:)'),
      timeoutMillis: z
        .number()
        .int()
        .positive()
        .optional()
        .describe('How long one store operation may take before Redis counts as unreachable, in ms (default 50)'),
      gateRefreshMillis: z.number().int().min(10).optional().describe('How often the gate is read besides pub/sub, in ms (default 500)'),
    })
    .describe('The Redis store (store: redis), shared by every process of a fleet');
  const blockModeSchema = z.enum(blockModes);
  const unknownModelSchema = z.enum(unknownModelModes);

  const exporterSchema = z.enum(exporters);

  const logLevelSchema = z.enum(logLevels);

  /**
   * The config file (`costctl.config.json`, or YAML). Every key is optional;
   * the environment overrides the file, and the file overrides the defaults.
   */
  const fileConfigSchema = z
    .strictObject({
      $schema: z.string().optional().describe('The JSON Schema of this file, for editors: ./node_modules/@costctl/otel/config.schema.json'),
      disabled: z.boolean().optional().describe('true: load nothing, patch nothing'),
      endpoints: z.array(endpointSchema).optional().describe('Extra endpoints: self-hosted, proxies, OpenAI-compatible servers'),
      labels: z.array(labelKeySchema).optional().describe('OTel baggage keys allowed to become metric labels'),
      prices: z
        .record(z.string().min(1), z.record(z.string().min(1), modelPriceSchema))
        .optional()
        .describe('Price overrides: provider → model → prices, in USD per million tokens'),
      metrics: z
        .strictObject({
          exporters: z.array(exporterSchema).min(1).optional().describe('Where metrics go: prometheus (a scrape endpoint), otlp (push), console, none'),
          prometheus: z
            .strictObject({
              host: z.string().min(1).optional().describe('Interface the scrape endpoint /metrics listens on'),
              port: z.number().int().min(1).max(65535).optional().describe('Port of the scrape endpoint /metrics: one per process'),
            })
            .optional()
            .describe('The Prometheus scrape endpoint'),
          exportIntervalMillis: z.number().int().positive().optional().describe('How often OTLP and console exporters push, in ms'),
          exportTimeoutMillis: z.number().int().positive().optional().describe('How long one push may take, in ms'),
        })
        .optional()
        .describe('Metric export'),
      logLevel: logLevelSchema.optional().describe('Least severe level logged, as JSON lines on stderr'),
      timezone: z.string().optional().describe('IANA time zone of calendar windows, e.g. Europe/Paris (default UTC)'),
      rules: z.array(ruleSchema).optional().describe('Budget rules'),
      meters: z.array(meterSchema).optional().describe('Other paid HTTP APIs, priced per request or per unit (search, speech, maps, messaging)'),
      warnAt: fraction.optional().describe('Default warning fraction of every rule (0.7)'),
      criticalAt: fraction.optional().describe('Default critical fraction of every rule (0.9)'),
      onExceed: ruleActionSchema.optional().describe('Default action of rules that name none, and of the env shorthands (block)'),
      blockMode: blockModeSchema.optional().describe('respond: a synthetic 402 in the provider error shape; throw: reject with CostctlBlockedError'),
      alertWebhook: z
        .url({ protocol: /^https?$/ })
        .optional()
        .describe('POST a JSON alert here on every level change'),
      store: storeSchema.optional().describe('memory (this process), file (this host), redis (a fleet)'),
      credits: z
        .record(z.string().min(1), creditSchema)
        .optional()
        .describe('Prepaid balances by provider (gen_ai.provider.name), e.g. { "openai": { "balance": 100, "since": "2026-11-01" } }'),
      currency: currencySchema.optional(),
      reconcile: reconcileSchema.optional(),
      redis: redisSchema.optional(),
      onStoreUnreachable: unreachableSchema
        .optional()
        .describe('closed (default): while the store cannot answer, calls to paid APIs are blocked; open: they go on unbudgeted, loudly logged'),
      stateDir: z.string().min(1).optional().describe('Directory of the file store, the ledger and the audit log (default .costctl in the working directory)'),
      ledger: z.boolean().optional().describe('Write the ledger: one JSON line per call (default true)'),
      abortOnTrip: z
        .boolean()
        .optional()
        .describe('When an operator or a trip rule trips the gate, abort the calls in flight, so a running stream stops costing money (default true)'),
      unknownModel: unknownModelSchema
        .optional()
        .describe(
          "A call to a model the price data does not know (or a batch, billed later): estimate (default) holds it against dollar budgets at the provider's highest known price per token, while it stays counted as unpriced; block blocks it under a dollar budget rule",
        ),
      defaultMaxOutputTokens: z.number().int().positive().optional().describe('Output tokens reserved for a call that sets no max_tokens (default 4096)'),
      evaluationIntervalMillis: z.number().int().min(100).optional().describe('How often budget rules are evaluated and alerts fire, in ms (default 2000)'),
      priceDataMaxAgeDays: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe('Warn at start-up when the price data in use is older than this many days; 0 never warns (default 30; costctl prices update renews it)'),
      reservationLeaseMillis: z
        .number()
        .int()
        .positive()
        .optional()
        .describe('How long a reservation of a call that never reports back is held (default 600000)'),
    })
    .describe('costctl configuration');

  return { fileConfigSchema, modelPriceSchema, endpointSchema, meterSchema, ruleSchema, currencySchema };
}

/** The config file's schemas, as `configSchemas` builds them. */
export type ConfigSchemas = ReturnType<typeof configSchemas>;

export type FileConfig = Zod.infer<ConfigSchemas['fileConfigSchema']>;
export type ModelPrice = Zod.infer<ConfigSchemas['modelPriceSchema']>;
export type Endpoint = Zod.infer<ConfigSchemas['endpointSchema']>;
export type MeterConfig = Zod.infer<ConfigSchemas['meterSchema']>;
export type Exporter = (typeof exporters)[number];
export type { LogLevel };
export type RuleInput = Zod.input<ConfigSchemas['ruleSchema']>;
export type RuleAction = (typeof ruleActions)[number];
export type RuleUnit = (typeof ruleUnits)[number];
export type StoreKind = (typeof storeKinds)[number];
export type OnStoreUnreachable = (typeof unreachableModes)[number];
export type { BlockMode } from '../model/block-mode.js';
export type UnknownModel = (typeof unknownModelModes)[number];
export type Currency = Zod.infer<ConfigSchemas['currencySchema']>;

/** A rule with every default filled in. */
export interface RuleConfig {
  name: string;
  limit: number;
  unit: RuleUnit;
  window: string;
  scope: Record<string, string>;
  warnAt: number;
  criticalAt: number;
  action: RuleAction;
  /** For a prepaid balance: the provider it is with, and when it was bought (ms); only spend since then counts. */
  credits?: { provider: string; since: number | undefined };
}

/** The resolved configuration every part of costctl reads. */
export interface CostctlConfig {
  disabled: boolean;
  endpoints: Endpoint[];
  labels: string[];
  prices: Record<string, Record<string, ModelPrice>>;
  meters: MeterConfig[];
  metrics: {
    exporters: Exporter[];
    prometheus: { host: string; port: number };
    exportIntervalMillis: number;
    exportTimeoutMillis: number;
  };
  logLevel: LogLevel;
  timezone: string;
  rules: RuleConfig[];
  warnAt: number;
  criticalAt: number;
  onExceed: RuleAction;
  blockMode: BlockMode;
  unknownModel: UnknownModel;
  alertWebhook: string | undefined;
  /** The display currency, when one is configured. */
  currency: Currency | undefined;
  reconcile: { tolerance: number };
  store: StoreKind;
  redis: { url: string | undefined; cluster: boolean; keyPrefix: string; timeoutMillis: number; gateRefreshMillis: number };
  onStoreUnreachable: OnStoreUnreachable;
  stateDir: string;
  ledger: boolean;
  abortOnTrip: boolean;
  defaultMaxOutputTokens: number;
  reservationLeaseMillis: number;
  evaluationIntervalMillis: number;
  priceDataMaxAgeDays: number;
}

export const defaultConfig: CostctlConfig = {
  disabled: false,
  endpoints: [],
  labels: [],
  prices: {},
  meters: [],
  metrics: {
    exporters: ['prometheus'],
    prometheus: { host: 'localhost', port: 9464 },
    exportIntervalMillis: 60_000,
    exportTimeoutMillis: 30_000,
  },
  logLevel: 'info',
  timezone: 'UTC',
  rules: [],
  warnAt: 0.7,
  criticalAt: 0.9,
  onExceed: 'block',
  blockMode: 'respond',
  unknownModel: 'estimate',
  alertWebhook: undefined,
  currency: undefined,
  reconcile: { tolerance: 0.02 },
  store: 'file',
  redis: { url: undefined, cluster: false, keyPrefix: 'costctl:', timeoutMillis: 50, gateRefreshMillis: 500 },
  onStoreUnreachable: 'closed',
  stateDir: '.costctl',
  ledger: true,
  abortOnTrip: true,
  defaultMaxOutputTokens: 4096,
  reservationLeaseMillis: 600_000,
  evaluationIntervalMillis: 2_000,
  priceDataMaxAgeDays: 30,
};
