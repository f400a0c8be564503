// An ordinary app on the `undici` package (not the global fetch): it makes
// CALLS (a count) chat calls with undici's request() against
// FAKE_PROVIDER_URL, one after the other, prints one JSON line per call (its
// status and usage, or the error it raised), prints {"done":true}, and
// stays up until its stdin closes.
import { request } from 'undici';

const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'How much is left of the budget?' }] });
for (let index = 0; index < Number(process.env.CALLS ?? 1); index++) {
  try {
    const response = await request(`${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' },
      body,
    });
    const answer = await response.body.json();
    console.log(JSON.stringify({ index, ok: true, status: response.statusCode, usage: answer.usage }));
  } catch (error) {
    console.log(JSON.stringify({ index, ok: false, error: { name: error.name, code: error.code, rule: error.rule } }));
  }
}
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
