import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeProvider, type FakeProvider } from '@costctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select, sum } from './helpers/prometheus.js';
import { runApp } from './helpers/run-app.js';

let provider: FakeProvider;

beforeAll(async () => {
  provider = await startFakeProvider();
});

afterAll(async () => {
  await provider.close();
});

const endpoints = () => `openai=${provider.url}/openai`;

describe('exporters and labels', () => {
  it('pushes the same metrics over OTLP/HTTP when OTEL_METRICS_EXPORTER=otlp', async () => {
    const bodies: string[] = [];
    const collector: Server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        if (req.url === '/v1/metrics') bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const port = (collector.address() as AddressInfo).port;
    try {
      await runApp('test/apps/commonjs.cjs', {
        env: {
          FAKE_PROVIDER_URL: provider.url,
          COSTCTL_ENDPOINTS: endpoints(),
          OTEL_METRICS_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${port}/v1/metrics`,
          OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
          OTEL_METRIC_EXPORT_INTERVAL: '100',
          OTEL_SERVICE_NAME: 'otlp-test',
        },
        // Held open until a push with the cost has arrived.
        until: () => bodies.some((body) => body.includes('costctl.cost.usd')),
      });
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
    const payload = JSON.parse(bodies.find((body) => body.includes('costctl.cost.usd'))!);
    const resource = payload.resourceMetrics[0];
    expect(resource.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'otlp-test' } });
    const names = resource.scopeMetrics.flatMap((scope: { metrics: { name: string }[] }) => scope.metrics.map((metric) => metric.name));
    expect(names).toEqual(
      expect.arrayContaining(['costctl.cost.usd', 'costctl.tokens', 'costctl.requests', 'gen_ai.client.token.usage', 'gen_ai.client.operation.duration']),
    );
  });

  it('turns allow-listed baggage keys into labels, and no others', async () => {
    const run = await runApp('test/apps/baggage.mjs', {
      env: { FAKE_PROVIDER_URL: provider.url, COSTCTL_ENDPOINTS: endpoints(), COSTCTL_LABELS: 'tenant' },
    });
    expect(sum(run.samples, 'costctl_requests_total', { tenant: 'acme' })).toBe(2);
    expect(sum(run.samples, 'costctl_requests_total', { tenant: 'globex' })).toBe(1);
    expect(select(run.samples, 'costctl_requests_total').filter((sample) => sample.labels.tenant === undefined)).toHaveLength(1);
    expect(run.metricsText).not.toContain('user_id');
    expect(run.metricsText).not.toContain('u-123');
  });

  it('prices a CommonJS app started with --import', async () => {
    const run = await runApp('test/apps/commonjs.cjs', { env: { FAKE_PROVIDER_URL: provider.url, COSTCTL_ENDPOINTS: endpoints() } });
    expect(run.lines[0]).toMatchObject({ usage: { prompt_tokens: 5, completion_tokens: 24 } });
    expect(sum(run.samples, 'costctl_cost_usd_total', { costctl_cost_source: 'price_table' })).toBeCloseTo((5 * 0.15 + 24 * 0.6) / 1e6, 15);
  });
});
