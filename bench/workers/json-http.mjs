// A Chat Completions call through node:http, as axios and the AWS SDK make it:
// http.request, the JSON string written with end(), the answer read to its end.
import { request } from 'node:http';
import { chatRequest, REQUEST_HEADERS } from '../wire.mjs';
import { serve, settings } from './serve.mjs';

const url = `${settings.baseUrl}/chat/completions`;
const body = JSON.stringify(chatRequest(false));

function chatCompletion() {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: REQUEST_HEADERS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200 || JSON.parse(text).usage === undefined) reject(new Error(`unexpected answer ${res.statusCode}`));
        else resolve();
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

await serve(chatCompletion);
