// An app that knows nothing of costctl: it makes CALLS chat calls through
// fetch, one after another, printing each answer's id, then ends as END says:
//   natural        nothing keeps it alive: it exits by itself
//   exit:<code>    process.exit(<code>) right after the last call
//   wait           prints {"done":true} and stays up until a signal ends it
//   self:<SIGNAL>  sends itself the signal right after the last call
//   handle:<SIGNAL> its own handler prints the signal and exits with 7, a moment later
//   ignore:<SIGNAL> its own handler only prints the signal; it exits when its stdin closes
//   loop           calls until it is killed
const url = `${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`;
const [end, argument] = (process.env.END ?? 'natural').split(':');
const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'Say something short.' }] });

if (end === 'handle') {
  process.on(argument, (signal) => {
    console.log(JSON.stringify({ signal }));
    setTimeout(() => process.exit(7), 20);
  });
}
if (end === 'ignore') process.on(argument, (signal) => console.log(JSON.stringify({ signal })));

const calls = end === 'loop' ? Infinity : Number(process.env.CALLS ?? 20);
for (let i = 0; i < calls; i++) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const { id } = await response.json();
  console.log(JSON.stringify({ id }));
}

if (end === 'exit') process.exit(Number(argument));
if (end === 'self') {
  process.kill(process.pid, argument);
  setInterval(() => {}, 1_000);
}
if (end === 'wait' || end === 'handle') {
  console.log(JSON.stringify({ done: true }));
  setInterval(() => {}, 1_000);
}
if (end === 'ignore') {
  console.log(JSON.stringify({ done: true }));
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}
