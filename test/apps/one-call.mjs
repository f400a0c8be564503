// Makes one chat call through fetch, prints its status and ends: nothing
// keeps the process alive, so it exits by itself, as it would without costctl.
const response = await fetch(`${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'Say something short.' }] }),
});
await response.text();
console.log(JSON.stringify({ status: response.status }));
