// An app that starts costctl itself and stays up, driven by JSON lines on
// stdin (test/helpers/live-app.mjs): {"call":{…body}} makes one OpenAI chat
// call through fetch, {"evaluate":true} evaluates the budgets now,
// {"gate":true} says how the gate is. Alerts go to COSTCTL_ALERT_WEBHOOK.
import { start } from '@costctl/otel';

const costctl = start();
const url = `${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`;

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
  if (message.evaluate) return { statuses: (await costctl.evaluate()).map(({ rule, level, spent, refusing }) => ({ rule: rule.name, level, spent, refusing })) };
  if (message.gate) return { gate: costctl.gate.state() };
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
