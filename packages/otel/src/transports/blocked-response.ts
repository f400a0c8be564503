import { blockMessage, type BlockReason } from '../model/errors.js';
import type { ProviderAdapter } from '../providers/types.js';

/** The synthetic answer to a blocked call, whatever transport delivers it. */
export interface BlockedResponse {
  status: 402;
  statusText: 'Payment Required';
  headers: Readonly<Record<string, string>>;
  /** JSON in the provider's own error shape. */
  body: string;
}

/**
 * What a blocked call gets in `respond` mode: a 402 with
 * `x-should-retry: false` (no SDK retries it) and `x-costctl-blocked`, its
 * body in the provider's own error shape, so the official SDKs raise their
 * normal API error at once.
 *
 * @example
 * const { status, headers, body } = blockedResponse(openaiAdapter, { code: 'COSTCTL_GATE_TRIPPED', rule: 'gate', spent: 0, limit: 0 });
 * // status 402, headers['x-costctl-blocked'] 'gate', body '{"error":{"type":"costctl_gate_tripped",…}}'
 */
export function blockedResponse(adapter: ProviderAdapter, block: BlockReason): BlockedResponse {
  const type = block.code === 'COSTCTL_GATE_TRIPPED' ? 'costctl_gate_tripped' : 'costctl_budget_exceeded';
  return {
    status: 402,
    statusText: 'Payment Required',
    headers: { 'content-type': 'application/json', ...adapter.errorHeaders?.(type), 'x-should-retry': 'false', 'x-costctl-blocked': block.rule },
    body: JSON.stringify(adapter.errorBody(type, blockMessage(block))),
  };
}
