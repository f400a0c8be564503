// A CommonJS app (require, no ESM): --import still loads costctl first.
const OpenAI = require('openai');

const openai = new OpenAI({ apiKey: 'sk-test-key', baseURL: `${process.env.FAKE_PROVIDER_URL}/openai/v1`, maxRetries: 0 });
openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello from CommonJS' }] }).then((completion) => {
  console.log(JSON.stringify({ usage: completion.usage }));
  console.log(JSON.stringify({ done: true }));
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
