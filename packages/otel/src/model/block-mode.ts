/** How a blocked call is answered: `respond`, a synthetic 402 in the provider's error shape; `throw`, a CostctlBlockedError. */
export const BLOCK_MODES = ['respond', 'throw'] as const;

export type BlockMode = (typeof BLOCK_MODES)[number];
