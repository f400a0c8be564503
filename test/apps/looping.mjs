// Calls a paid API every few milliseconds (bounded) and prints a line each
// time what it gets changes — ok, or blocked by a rule or the gate — so
// several of these, sharing one state dir, show the gate reaching them all.
// A call that fails prints `error:<code>`.
const url = `${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`;
const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'tick' }] });
let last;
let stopping = false;
process.stdin.resume();
process.stdin.on('end', () => (stopping = true));
for (let i = 0; i < Number(process.env.MAX_CALLS ?? 5000) && !stopping; i++) {
  let state;
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.arrayBuffer();
    state = response.status === 200 ? 'ok' : `blocked:${response.headers.get('x-costctl-blocked')}`;
  } catch (error) {
    // A call in flight when the gate trips is aborted (abortOnTrip): the next one is blocked.
    state = `error:${error?.cause?.code ?? error?.code ?? error?.name}`;
  }
  if (state !== last) console.log(JSON.stringify({ state, at: Date.now() }));
  last = state;
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.EVERY_MS ?? 5)));
}
process.exit(0);
