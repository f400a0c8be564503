// Calls that fail before any response, through fetch and node:http: to a
// closed port (REFUSED_PORT), and to a server that never answers
// (SILENT_PORT, run here) aborted once the server has the request. Prints
// what the app saw of each.
import http from 'node:http';

const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 1000, messages: [{ role: 'user', content: 'hello' }] });
const headers = { 'content-type': 'application/json' };
const refused = `http://127.0.0.1:${process.env.REFUSED_PORT}/v1/chat/completions`;
const silent = `http://127.0.0.1:${process.env.SILENT_PORT}/v1/chat/completions`;

let arrive = () => {};
const server = http.createServer(() => arrive());
await new Promise((resolve) => server.listen(Number(process.env.SILENT_PORT), '127.0.0.1', resolve));
const arrived = () => new Promise((resolve) => (arrive = resolve));

const seen = {};
seen.fetchRefused = await fetch(refused, { method: 'POST', headers, body }).then(
  (response) => response.status,
  (error) => error.cause?.code ?? error.name,
);
seen.httpRefused = await new Promise((resolve) => {
  const request = http.request(refused, { method: 'POST', headers }, (response) => resolve(response.statusCode));
  request.on('error', (error) => resolve(error.code));
  request.end(body);
});
{
  const controller = new AbortController();
  const there = arrived();
  const answer = fetch(silent, { method: 'POST', headers, body, signal: controller.signal }).then(
    (response) => response.status,
    (error) => error.name,
  );
  await there;
  controller.abort();
  seen.fetchAborted = await answer;
}
{
  const there = arrived();
  const request = http.request(silent, { method: 'POST', headers });
  const answer = new Promise((resolve) => request.on('error', (error) => resolve(error.code)));
  request.end(body);
  await there;
  request.destroy();
  seen.httpDestroyed = await answer;
}
server.closeAllConnections();
server.close();

console.log(JSON.stringify(seen));
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
