// The end of every test app: make each call, print one JSON line per call
// (what it returned, or its error described by `describeError`), print
// {"done":true} for run-app.ts, and stay up until stdin closes so the app's
// /metrics can be scraped.

/**
 * @param {readonly unknown[]} calls
 * @param {(spec: any) => Promise<object>} call
 * @param {(error: any) => object} describeError
 * @example
 * await reportCalls(calls, (spec) => client.chat(spec), (error) => ({ name: error.constructor.name }));
 */
export async function reportCalls(calls, call, describeError) {
  for (const [index, spec] of calls.entries()) {
    try {
      console.log(JSON.stringify({ index, ok: true, ...(await call(spec)) }));
    } catch (error) {
      console.log(JSON.stringify({ index, ok: false, error: describeError(error) }));
    }
  }
  console.log(JSON.stringify({ done: true }));
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}
