// The label explosion the series bound is for: an app that puts a user id
// into an allow-listed baggage key (run with COSTCTL_LABELS=tenant), so every
// user is a new series. It prints {"ready":true}; then each stdin line
// {"users": N} makes one chat call as each of N new users, CONCURRENCY at a
// time, and answers {"ok": n, "blocked": n, "failed": n}. Plain fetch, not an
// SDK client: thousands of calls, and only their labels matter.
import { context, propagation } from '@opentelemetry/api';

const concurrency = Number(process.env.CONCURRENCY ?? 32);
const url = `${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`;
const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] });

async function ask() {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' }, body });
  await response.arrayBuffer();
  return response.ok ? 'ok' : response.headers.has('x-costctl-blocked') ? 'blocked' : 'failed';
}
const askAs = (user) => context.with(propagation.setBaggage(context.active(), propagation.createBaggage({ tenant: { value: `user-${user}` } })), ask);

let nextUser = 0;
async function callsAsNewUsers(count) {
  const last = nextUser + count;
  const outcomes = { ok: 0, blocked: 0, failed: 0 };
  const worker = async () => {
    while (nextUser < last) outcomes[await askAs(nextUser++).catch(() => 'failed')] += 1;
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

console.log(JSON.stringify({ ready: true }));
let input = '';
let pending = Promise.resolve();
process.stdin.setEncoding('utf8').on('data', (chunk) => {
  input += chunk;
  let newline;
  while ((newline = input.indexOf('\n')) !== -1) {
    const { users } = JSON.parse(input.slice(0, newline));
    input = input.slice(newline + 1);
    pending = pending.then(async () => console.log(JSON.stringify(await callsAsNewUsers(users))));
  }
});
process.stdin.on('end', () => pending.then(() => process.exit(0)));
