// Makes CALLS streamed chat calls through fetch, IN_FLIGHT at a time, each
// read to its end; prints how many went through and how many were blocked.
const url = `${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`;
const body = JSON.stringify({
  model: 'gpt-4o-mini',
  max_tokens: 24,
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'Stream me something short.' }],
});
let next = Number(process.env.CALLS ?? 250);
let ok = 0;
let blocked = 0;
async function lane() {
  while (next-- > 0) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.text();
    if (response.status === 200) ok++;
    else if (response.status === 402) blocked++;
  }
}
await Promise.all(Array.from({ length: Number(process.env.IN_FLIGHT ?? 32) }, lane));
console.log(JSON.stringify({ ok, blocked }));
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
