// `npm run example collector`: a real OpenTelemetry Collector on
// otel-collector.yaml, the local fake provider, and app.mjs pushing its
// metrics over OTLP; then what the Collector serves Prometheus.
import { freshStateDir, runUnderCostctl, say, startCollector, startProvider, waitFor } from '../local.mjs';

const [provider, collector] = [await startProvider(), await startCollector()];
const env = {
  OPENAI_API_KEY: 'sk-fake',
  OPENAI_BASE_URL: `${provider.url}/openai/v1`,
  ANTHROPIC_API_KEY: 'sk-ant-fake',
  ANTHROPIC_BASE_URL: `${provider.url}/anthropic`,
  // Calls to these addresses are OpenAI's and Anthropic's (the providers' own addresses need no such line).
  COSTCTL_ENDPOINTS: `openai=${provider.url}/openai/v1,anthropic=${provider.url}/anthropic`,
  COSTCTL_STATE_DIR: freshStateDir(),
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpUrl,
  OTEL_SERVICE_NAME: 'checkout',
  OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=checkout-1',
};
say(`Push: OTEL_METRICS_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT=${collector.otlpUrl} OTEL_SERVICE_NAME=checkout`);

try {
  const { code } = await runUnderCostctl('collector', 'app.mjs', env);
  process.exitCode = code;
  say(`\nThe app has exited. Cost and request lines the Collector serves Prometheus on ${collector.metricsUrl}:`);
  // The Collector's batch processor hands the push on to its exporter within a moment.
  let served = '';
  await waitFor(async () => /^costctl_requests_total\{/m.test((served = await collector.scrape())), 'the Collector to serve the pushed metrics');
  for (const line of served.split('\n').filter((line) => /^costctl_(cost_usd|requests)_total\{/.test(line))) {
    // The twelve digits that mean something of a sum of binary fractions.
    say(
      `  ${line.replace(/,?otel_scope_(name|version|schema_url)="[^"]*"/g, '').replace(/ (\S+)$/, (_, value) => ` ${Number(Number(value).toPrecision(12))}`)}`,
    );
  }
} finally {
  await Promise.all([provider.close(), collector.stop()]);
}
