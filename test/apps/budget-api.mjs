// An app that starts costctl through the programmatic API with an onAlert
// hook, spends through a daily budget with raw fetch calls, then trips and
// resets the gate. Prints what it saw as one JSON line.
import { CostctlBlockedError, start } from '@costctl/otel';

const alerts = [];
const costctl = start({
  // Budget alerts only: the gate's own alerts are tested in test/alerts.test.ts.
  onAlert: (alert) => alert.kind === 'budget' && alerts.push({ rule: alert.rule, level: alert.level, previous: alert.previous }),
  config: { evaluationIntervalMillis: 60_000 },
});
const url = `${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`;
const ask = () =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' },
    body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'Is this call within budget?' }] }),
  });

const outcomes = [];
for (let i = 0; i < Number(process.env.CALLS ?? 6); i++) {
  try {
    const response = await ask();
    await response.text();
    outcomes.push(response.status === 200 ? 'ok' : `${response.status}:${response.headers.get('x-costctl-blocked')}`);
  } catch (error) {
    outcomes.push(error instanceof CostctlBlockedError ? `thrown:${error.code}:${error.rule}` : `error:${error.message}`);
  }
  await costctl.evaluate();
}
const statuses = (await costctl.evaluate()).map((status) => ({ rule: status.rule.name, level: status.level, spent: status.spent }));

await costctl.gate.trip({ reason: 'retry storm in checkout', actor: 'alice' });
let tripped;
try {
  const response = await ask();
  tripped = {
    status: response.status,
    blocked: response.headers.get('x-costctl-blocked'),
    retry: response.headers.get('x-should-retry'),
    body: await response.json(),
  };
} catch (error) {
  tripped = { thrown: error.code, rule: error.rule, message: error.message, actor: error.actor, reason: error.reason, since: error.since };
}
await costctl.gate.reset({ reason: 'loop fixed', actor: 'bob' });
const audit = (await costctl.gate.audit()).map(({ action, reason, actor, wasTripped }) => ({ action, reason, actor, wasTripped }));

console.log(
  JSON.stringify({
    outcomes,
    alerts,
    statuses,
    tripped,
    audit,
    gateAfterReset: (await costctl.gate.state()).tripped,
  }),
);
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
