/** A small HTTP server on 127.0.0.1 for the fake APIs of the end-to-end tests. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
}

/**
 * Serves `answer` on 127.0.0.1, any free port; an answer that throws drops its socket.
 *
 * @example
 * const server = await listenLocally(async (req, res) => res.end('ok'));
 */
export async function listenLocally(answer: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<LocalServer> {
  const server = createServer((req, res) => {
    answer(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A 200 JSON answer with its length, and any extra headers. */
export function sendJson(res: ServerResponse, payload: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(payload);
  res.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
