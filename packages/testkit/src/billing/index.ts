export type { BilledDay } from './days.js';
export { type BillingProviderName, type BillingRequest, type FakeBilling, type FakeBillingOptions, startFakeBilling } from './server.js';
