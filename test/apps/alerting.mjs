// An app that starts costctl itself and stays up, driven by JSON lines on
// stdin (test/helpers/live-app.mjs): {"call":{…body}} makes one OpenAI chat
// call through fetch, {"evaluate":true} evaluates the budgets now,
// {"gate":true} says how the gate is and every change gate.onChange heard,
// {"trip":reason} / {"reset":reason} change it, {"stream":"fetch"|"http"}
// starts a long stream, answers once its first bytes arrived, and prints
// {"streamEnded":…} when it ends. Alerts go to COSTCTL_ALERT_WEBHOOK.
import http from 'node:http';
import { start } from '@costctl/otel';

const costctl = start();
const url = `${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`;
const changes = [];
costctl.gate.onChange((state, previous) => changes.push({ tripped: state.tripped, actor: state.actor, reason: state.reason, wasTripped: previous.tripped }));
const streamBody = JSON.stringify({
  model: 'gpt-4o-mini',
  max_tokens: 4000,
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'Write a long story.' }],
});
// fetch fails a body cut by its dispatcher with TypeError('terminated'), the reason as its cause.
const outcome = (error) => `error:${error?.code ?? error?.cause?.code ?? error?.name ?? String(error)}`;

/** Resolves once the first bytes arrived; prints how the stream ended, later. */
function stream(via) {
  return new Promise((resolve) => {
    let started = false;
    const first = () => {
      if (!started) resolve({ started: (started = true) });
    };
    const ended = (how) => {
      if (!started) resolve({ started: false, streamEnded: how });
      else console.log(JSON.stringify({ streamEnded: how }));
    };
    if (via === 'fetch') {
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' }, body: streamBody }).then(
        async (response) => {
          try {
            for await (const _chunk of response.body) first();
            ended('complete');
          } catch (error) {
            ended(outcome(error));
          }
        },
        (error) => ended(outcome(error)),
      );
      return;
    }
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' } }, (response) => {
      response.on('data', first);
      response.on('end', () => ended('complete'));
      response.on('error', (error) => ended(outcome(error)));
    });
    request.on('error', (error) => ended(outcome(error)));
    request.end(streamBody);
  });
}

async function call(body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' },
    body: JSON.stringify(body),
  });
  await response.text();
  return { status: response.status, blocked: response.headers.get('x-costctl-blocked') };
}

async function answer(message) {
  if (message.call) return call(message.call);
  if (message.evaluate)
    return { statuses: (await costctl.evaluate()).map(({ rule, level, spent, refusing }) => ({ rule: rule.name, level, spent, refusing })) };
  if (message.gate) return { gate: await costctl.gate.state(), changes };
  if (message.trip) return { gate: await costctl.gate.trip({ reason: message.trip, actor: 'alice' }) };
  if (message.reset) return { gate: await costctl.gate.reset({ reason: message.reset, actor: 'bob' }) };
  if (message.stream) return stream(message.stream);
  return { unknown: message };
}

let buffered = '';
process.stdin.setEncoding('utf8').on('data', async (chunk) => {
  buffered += chunk;
  for (let newline; (newline = buffered.indexOf('\n')) !== -1; ) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    console.log(JSON.stringify(await answer(JSON.parse(line))));
  }
});
process.stdin.on('end', async () => {
  await costctl.shutdown();
});
console.log(JSON.stringify({ ready: true }));
