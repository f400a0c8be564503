// An app that POSTs each call of CALLS (JSON: { url, body }) with the global
// fetch and reads every answer to its end, as an SDK would. Prints one JSON
// line per call (status and bytes read), then {"done":true}.
import { reportCalls } from '../helpers/report-calls.mjs';

const calls = JSON.parse(process.env.CALLS ?? '[]');

await reportCalls(
  calls,
  async ({ url, body }) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-test-key' },
      body: JSON.stringify(body),
    });
    const bytes = (await response.arrayBuffer()).byteLength;
    return { status: response.status, bytes };
  },
  (error) => ({ name: error.constructor.name }),
);
