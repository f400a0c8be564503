// A Chat Completions call through global fetch, as the official SDK makes it:
// POST a JSON string, read the whole JSON answer.
import { chatRequest, REQUEST_HEADERS } from '../wire.mjs';
import { serve, settings } from './serve.mjs';

const url = `${settings.baseUrl}/chat/completions`;
const body = JSON.stringify(chatRequest(false));

async function chatCompletion() {
  const response = await fetch(url, { method: 'POST', headers: REQUEST_HEADERS, body });
  const completion = await response.json();
  if (response.status !== 200 || completion.usage === undefined) throw new Error(`unexpected answer ${response.status}`);
}

await serve(chatCompletion);
