import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP server standing in for COSTCTL_ALERT_WEBHOOK: it keeps every JSON body POSTed to it. */
export interface WebhookReceiver {
  url: string;
  received: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
