// Calls a paid API every few milliseconds (bounded) and prints a line each
// time what it gets changes — ok, or blocked by a rule or the gate — so
// several of these, sharing one state dir, show the gate reaching them all.
const url = `${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`;
const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'tick' }] });
let last;
let stopping = false;
process.stdin.resume();
process.stdin.on('end', () => (stopping = true));
for (let i = 0; i < Number(process.env.MAX_CALLS ?? 5000) && !stopping; i++) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await response.arrayBuffer();
  const state = response.status === 200 ? 'ok' : `blocked:${response.headers.get('x-costctl-blocked')}`;
  if (state !== last) console.log(JSON.stringify({ state, at: Date.now() }));
  last = state;
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.EVERY_MS ?? 5)));
}
process.exit(0);
