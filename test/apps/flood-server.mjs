// A server the transparency apps run themselves, to see backpressure: it
// streams a 64 MiB SSE body as fast as its socket takes it and counts what it
// got written. An app that reads one chunk and then nothing for a while must
// hold it back — the kernel's socket buffers on loopback take several MiB, far
// short of the body — with or without costctl; costctl must not read ahead.
import { createServer } from 'node:http';

export const FLOOD_BYTES = 64 * 1024 * 1024;
const piece = Buffer.from(`data: ${JSON.stringify({ choices: [{ delta: { content: 'x'.repeat(4000) } }] })}\n\n`);

/** Starts the server on `port` (127.0.0.1); `written()` says how far it got. */
export async function startFlood(port) {
  let written = 0;
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const pump = () => {
      while (written < FLOOD_BYTES) {
        written += piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      res.end('data: [DONE]\n\n');
    };
    pump();
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    written: () => written,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** What a run shows about backpressure; the same with and without costctl, and true, true, true. */
export function backpressureRecord(writtenWhilePaused, writtenAtEnd, bytesRead) {
  return { heldBack: writtenWhilePaused < FLOOD_BYTES / 4, finished: writtenAtEnd >= FLOOD_BYTES, readAll: bytesRead > FLOOD_BYTES };
}

export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
