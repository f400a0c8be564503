// Proof that costctl observed and priced the calls it was timed on, so a
// broken build (nothing patched, nothing read) cannot pass for a fast one.

/** Scrapes costctl's Prometheus endpoint, retrying while its server starts listening. */
export async function scrapeMetrics(port) {
  let lastError;
  for (let attempt = 0; attempt < 40; attempt += 1) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      return await response.text();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`could not scrape costctl on port ${port}: ${lastError?.cause?.code ?? lastError}`);
}

/** The sum of the samples named `name` whose labels include all of `where`. */
function sum(metricsText, name, where = {}) {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const labels = match[2] ?? '';
    if (Object.entries(where).every(([key, value]) => labels.includes(`${key}="${value}"`))) total += Number(match[3]);
  }
  return total;
}

/**
 * Checks costctl's counters against what the worker did: every call counted
 * as ok, the tokens of every call read from the answers, the cost priced
 * from the price table. Answers a one-line summary, or throws what is wrong.
 *
 * @param expected {calls, inputTokens, outputTokens} per the worker's calls
 */
export function checkObserved(metricsText, expected) {
  if (expected.unbilled === true) return checkUnbilled(metricsText);
  const problems = [];
  const check = (what, actual, wanted) => {
    if (Math.abs(actual - wanted) > 1e-9) problems.push(`${what}: costctl says ${actual}, the worker made ${wanted}`);
  };
  check('calls (costctl_requests_total)', sum(metricsText, 'costctl_requests_total'), expected.calls);
  check('ok calls', sum(metricsText, 'costctl_requests_total', { costctl_outcome: 'ok' }), expected.calls);
  check('input tokens', sum(metricsText, 'costctl_tokens_total', { gen_ai_token_type: 'input' }), expected.inputTokens);
  check('output tokens', sum(metricsText, 'costctl_tokens_total', { gen_ai_token_type: 'output' }), expected.outputTokens);
  const usd = sum(metricsText, 'costctl_cost_usd_total', { costctl_cost_source: 'price_table' });
  if (!(usd > 0)) problems.push('no cost priced from the price table (costctl_cost_usd_total{costctl_cost_source="price_table"})');
  const unpriced = sum(metricsText, 'costctl_unpriced_requests_total');
  if (unpriced !== 0) problems.push(`${unpriced} calls unpriced (costctl_unpriced_requests_total)`);
  if (problems.length > 0) throw new Error(`costctl did not observe the calls as expected:\n  ${problems.join('\n  ')}`);
  return `${expected.calls} calls, ${expected.outputTokens} output tokens, $${usd.toFixed(4)} priced`;
}

/** costctl ran (its exporter serves its own series) and billed none of the calls, as none went to a paid endpoint. */
function checkUnbilled(metricsText) {
  if (!/^costctl_store_reachable/m.test(metricsText)) throw new Error('costctl did not run: its /metrics has no costctl_store_reachable');
  const calls = sum(metricsText, 'costctl_requests_total');
  if (calls !== 0) throw new Error(`costctl billed ${calls} calls to an endpoint it does not know`);
  return 'costctl running, no call billed';
}
