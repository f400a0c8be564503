// The bench's fake OpenAI, run as its own process so it never shares a core
// with the measured one. It answers POST …/chat/completions at once, with
// bodies built at start-up: a `chat.completion` JSON body, or (for
// `"stream":true`) one big `chat.completion.chunk` event stream written in a
// single piece, chunked, as fast as loopback takes it. Prints {"port":N}
// once listening; stops when its stdin closes.
import { createServer } from 'node:http';
import { chatCompletionJson, chatCompletionStream } from './wire.mjs';

const deltas = Number(process.env.BENCH_SSE_DELTAS ?? 10_000);
const json = Buffer.from(chatCompletionJson());
const stream = Buffer.from(chatCompletionStream(deltas));

const jsonHeaders = {
  'content-type': 'application/json',
  'content-length': String(json.byteLength),
  'openai-processing-ms': '1',
  'x-request-id': 'req_bench',
};
const streamHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'openai-processing-ms': '1',
  'x-request-id': 'req_bench',
};

const server = createServer((request, response) => {
  if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
    response.writeHead(404).end();
    request.resume();
    return;
  }
  const parts = [];
  request.on('data', (part) => parts.push(part));
  request.on('end', () => {
    if (Buffer.concat(parts).includes('"stream":true')) {
      response.writeHead(200, streamHeaders);
      response.end(stream);
    } else {
      response.writeHead(200, jsonHeaders);
      response.end(json);
    }
  });
});
// Workers keep their connections across warm-up and measurement.
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ port, streamBytes: stream.byteLength, jsonBytes: json.byteLength })}\n`);
});
process.stdin.on('end', () => process.exit(0)).resume();
