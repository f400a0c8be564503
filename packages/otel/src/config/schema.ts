import { z } from 'zod';

/** Prices in USD per million tokens, overriding the price data for one model. */
export const modelPriceSchema = z
  .strictObject({
    input: z.number().nonnegative().describe('USD per million input tokens (uncached)'),
    output: z.number().nonnegative().describe('USD per million output tokens'),
    cacheRead: z.number().nonnegative().optional().describe('USD per million tokens read from the prompt cache; defaults to input'),
    cacheWrite: z.number().nonnegative().optional().describe('USD per million tokens written to the prompt cache; defaults to input'),
  })
  .describe('Price of one model, USD per million tokens');

/** A base URL whose requests are treated as one provider's API. */
export const endpointSchema = z.strictObject({
  provider: z.string().min(1).describe('Provider whose wire format the endpoint speaks, e.g. openai'),
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .describe('Every request whose URL starts with this is priced as that provider, e.g. http://127.0.0.1:8080/v1'),
});

/** OTel baggage keys that may become metric labels: short, Prometheus-safe. */
export const labelKeySchema = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/, 'a label key: letters, digits and _, not starting with a digit, at most 63 characters');

export const exporterSchema = z.enum(['prometheus', 'otlp', 'console', 'none']);

export const logLevelSchema = z.enum(['debug', 'info', 'warn', 'error', 'silent']);

/**
 * The config file (`costctl.config.json`, or YAML). Every key is optional;
 * the environment overrides the file, and the file overrides the defaults.
 */
export const fileConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    disabled: z.boolean().optional().describe('true: load nothing, patch nothing'),
    endpoints: z.array(endpointSchema).optional().describe('Extra endpoints: self-hosted, proxies, OpenAI-compatible servers'),
    labels: z.array(labelKeySchema).optional().describe('OTel baggage keys allowed to become metric labels'),
    prices: z
      .record(z.string().min(1), z.record(z.string().min(1), modelPriceSchema))
      .optional()
      .describe('Price overrides: provider → model → prices, in USD per million tokens'),
    metrics: z
      .strictObject({
        exporters: z.array(exporterSchema).min(1).optional(),
        prometheus: z
          .strictObject({
            host: z.string().min(1).optional(),
            port: z.number().int().min(1).max(65535).optional(),
          })
          .optional(),
        exportIntervalMillis: z.number().int().positive().optional().describe('How often OTLP and console exporters push, in ms'),
        exportTimeoutMillis: z.number().int().positive().optional().describe('How long one push may take, in ms'),
      })
      .optional(),
    logLevel: logLevelSchema.optional(),
  })
  .describe('costctl configuration');

export type FileConfig = z.infer<typeof fileConfigSchema>;
export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type Endpoint = z.infer<typeof endpointSchema>;
export type Exporter = z.infer<typeof exporterSchema>;
export type LogLevel = z.infer<typeof logLevelSchema>;

/** The resolved configuration every part of costctl reads. */
export interface CostctlConfig {
  disabled: boolean;
  endpoints: Endpoint[];
  labels: string[];
  prices: Record<string, Record<string, ModelPrice>>;
  metrics: {
    exporters: Exporter[];
    prometheus: { host: string; port: number };
    exportIntervalMillis: number;
    exportTimeoutMillis: number;
  };
  logLevel: LogLevel;
}

export const defaultConfig: CostctlConfig = {
  disabled: false,
  endpoints: [],
  labels: [],
  prices: {},
  metrics: {
    exporters: ['prometheus'],
    prometheus: { host: 'localhost', port: 9464 },
    exportIntervalMillis: 60_000,
    exportTimeoutMillis: 30_000,
  },
  logLevel: 'info',
};
