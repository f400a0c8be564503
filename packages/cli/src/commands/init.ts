import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../command.js';

const template = `# costctl configuration (https://www.npmjs.com/package/@costctl/otel).
# Environment variables (COSTCTL_*, OTEL_*) override what is here.
# yaml-language-server: $schema=./node_modules/@costctl/otel/config.schema.json

# Calendar windows (day, month) start at midnight in this IANA time zone.
timezone: UTC

# A rule is at warning from this fraction of its limit, critical from that one.
warnAt: 0.7
criticalAt: 0.9

# What a rule does when a call would pass its limit, unless it says otherwise:
# alert (only alert), block (block the call), trip (trip the emergency gate).
onExceed: block

# How a blocked call fails: respond (a 402 in the provider's error shape, which
# the official SDKs raise at once without retrying) or throw (CostctlBlockedError).
blockMode: respond

rules:
  - { name: daily_usd, limit: 10, unit: usd, window: day }
  - { name: monthly_usd, limit: 100, unit: usd, window: month }
  # Past the total, stop everything until an operator runs \`costctl gate reset\`.
  - { name: total_usd, limit: 1000, unit: usd, window: total, action: trip }
  - { name: requests_per_minute, limit: 60, unit: requests, window: minute }
  - { name: requests_per_hour, limit: 500, unit: requests, window: hour }
  - { name: requests_per_day, limit: 5000, unit: requests, window: day }

# Prices for models the price data does not know, in USD per million tokens:
# prices:
#   openai:
#     my-finetune: { input: 3, output: 12 }

# Requests under these base URLs are priced as that provider:
# endpoints:
#   - { provider: openai, baseUrl: http://127.0.0.1:8000/v1 }

# Other paid HTTP APIs, priced per request or per unit read from the answer
# (a header, or a dotted path into its JSON); budgets and the gate cover them.
# meters:
#   - { name: serpapi, host: serpapi.com, path: /search*, method: GET, price: { perRequest: 0.01 } }
#   - name: speechco
#     host: api.speech.example
#     path: /v1/**
#     price: { perUnit: 0.000016, unit: { header: x-audio-seconds, name: audio_seconds }, maxUnits: 3600 }

# OTel baggage keys that may become metric labels and rule scopes:
# labels: [tenant]
`;

/** `costctl init`: writes costctl.config.yaml with the seed budgets, commented. */
export const init: Command<{ force?: boolean }> = async (values, { cwd, out }) => {
  const path = join(cwd, 'costctl.config.yaml');
  if (existsSync(path) && !values.force) {
    out(`${path} already exists; run with --force to overwrite it.\n`);
    return 1;
  }
  writeFileSync(path, template);
  out(`wrote ${path}\n`);
  return 0;
};
