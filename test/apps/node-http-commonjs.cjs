// A CommonJS app on require('http') and axios's CommonJS build: --import still patches what it requires.
const http = require('http');
const axios = require('axios');

const url = `${process.env.FAKE_PROVIDER_URL}/openai/v1/chat/completions`;
const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-test-key' };
const body = { model: 'gpt-4o-mini', max_tokens: 24, messages: [{ role: 'user', content: 'Hello from CommonJS' }] };

const viaHttp = () =>
  new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve(JSON.parse(text).usage));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });

(async () => {
  console.log(JSON.stringify({ http: await viaHttp(), axios: (await axios.post(url, body, { headers })).data.usage, body }));
  console.log(JSON.stringify({ done: true }));
})();
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
