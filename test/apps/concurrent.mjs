// Fires CALLS streamed chat calls at once through fetch and reads each to
// its end; prints how many went through and how many were blocked.
const url = `${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`;
const body = JSON.stringify({
  model: 'gpt-4o-mini',
  max_tokens: 24,
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'Stream me something short.' }],
});
const results = await Promise.all(
  Array.from({ length: Number(process.env.CALLS ?? 200) }, async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.text();
    return response.status;
  }),
);
console.log(JSON.stringify({ ok: results.filter((status) => status === 200).length, blocked: results.filter((status) => status === 402).length }));
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
