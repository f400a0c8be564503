// Spends outside HTTP through the public API: a Realtime session reserved and
// settled, a gRPC call and an unknown model recorded, an invoice recorded in
// dollars. MODE=blocked starts costctl itself, exhausts a daily budget, trips
// the gate, and sets reserve() beside a blocked HTTP call (COSTCTL_BLOCK_MODE=throw).
// Prints one JSON line per step.
import { check, recordCost, reserve, start } from '@costctl/otel';

const print = (line) => console.log(JSON.stringify(line));
const failure = (error) => ({
  class: error.constructor.name,
  code: error.code,
  rule: error.rule,
  spent: error.spent,
  limit: error.limit,
  unit: error.unit,
  actor: error.actor,
  reason: error.reason,
  message: error.message,
});

if (process.env.MODE === 'blocked') {
  const costctl = start();
  print({ step: 'invoice', recorded: recordCost({ provider: 'openai', usd: Number(process.env.INVOICE_USD), operation: 'batch', id: 'inv_2026_12' }) });
  print({
    step: 'check',
    answer: await check({ provider: 'openai', model: 'gpt-4o-mini', maxOutputTokens: 24 }).then((a) =>
      a.admitted ? a : { admitted: false, error: failure(a.error) },
    ),
  });
  for (const step of ['budget', 'gate']) {
    if (step === 'gate') await costctl.gate.trip({ reason: 'runaway realtime sessions', actor: 'alice' });
    let manual;
    try {
      await reserve({ provider: 'openai', model: 'gpt-4o-mini', maxOutputTokens: 24 });
      manual = { admitted: true };
    } catch (error) {
      manual = failure(error);
    }
    let http;
    try {
      const response = await fetch(`${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' },
        body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'Is this call within budget?' }] }),
      });
      http = { status: response.status, body: await response.text() };
    } catch (error) {
      http = failure(error);
    }
    print({ step, manual, http });
  }
} else {
  const held = await reserve({ provider: 'openai', model: 'gpt-realtime', inputTokens: 2000, maxOutputTokens: 4096, labels: { tenant: 'acme' } });
  print({
    step: 'session',
    recorded: held.settle({ usage: { input: 5200, output: 1800, cacheRead: 4000 }, id: 'sess_rt_1', durationSeconds: 42 }),
    again: held.settle({ usage: { input: 1, output: 1 } }) ?? null,
  });
  print({
    step: 'grpc',
    recorded: recordCost({ provider: 'gcp.gemini', model: 'gemini-2.5-flash', usage: { input: 3000, output: 600 }, labels: { tenant: 'acme' } }),
  });
  print({ step: 'unknown', recorded: recordCost({ provider: 'openai', model: 'gpt-9-realtime', usage: { input: 1000, output: 100 } }) });
  print({ step: 'invoice', recorded: recordCost({ provider: 'acme-search', usd: 12.5, operation: 'search', id: 'inv_2026_12' }) });
}
print({ done: true });
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
