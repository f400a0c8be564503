import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../../../test/helpers/redis-server.js';
import { RedisStore } from '../../../store-redis/src/redis-store.js';
import type { RuleConfig } from '../config/schema.js';
import { Gate } from '../gate/gate.js';
import type { CallResult } from '../model/call-result.js';
import { PriceTable } from '../pricing/price-table.js';
import { adapterByName } from '../providers/registry.js';
import { FileStore } from '../store/file.js';
import type { CostStore } from '../store/types.js';
import { type Admission, Budgets, type PendingCall } from './budgets.js';

const rule: RuleConfig = { name: 'daily', limit: 100, unit: 'usd', window: 'day', scope: {}, warnAt: 0.7, criticalAt: 0.9, action: 'block' };
// A worst case of $1 given by the app (reserve()), so leases come in whole dollars.
const call: PendingCall = {
  adapter: adapterByName('openai')!,
  request: { operation: 'chat', api: 'chat_completions', model: 'gpt-4o-mini', stream: false, maxOutputTokens: 100, inputTokenEstimate: 100 },
  provider: 'openai',
  model: 'gpt-4o-mini',
  labels: {},
  worstUsd: 1,
};
const costing = (usd: number) => ({ cost: { usd }, usage: { input: 100, output: 50 } }) as unknown as CallResult;

let redis: RedisServer;
let prefixes = 0;
const cleanups: (() => unknown)[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const stores: [string, () => CostStore][] = [
  [
    'file',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'costctl-check-leases-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return new FileStore(dir);
    },
  ],
  ['redis', () => new RedisStore({ url: redis.url, keyPrefix: `check${++prefixes}:`, timeoutMillis: 2_000 })],
];

/** Budgets with leases, as start() builds them on a shared store. */
function leased(open: () => CostStore, limit: number) {
  const store = open();
  const gate = new Gate(store, store.gate());
  const budgets = new Budgets([{ ...rule, limit }], store, gate, new PriceTable(), {
    timeZone: 'UTC',
    defaultMaxOutputTokens: 4096,
    leaseMillis: 60_000,
    leases: true,
  });
  cleanups.push(async () => (await budgets.flush(), gate.close(), await store.close()));
  const counter = budgets.rules[0]!.windowNow(Date.now());
  return { store, budgets, counter };
}

async function admitted(budgets: Budgets) {
  const admission: Admission = await budgets.admit(call);
  if (admission.blocked !== undefined || admission.reservation === undefined)
    throw new Error(`expected an admission, got ${JSON.stringify(admission.blocked)}`);
  return admission.reservation;
}

describe.each(stores)('check() with leases on the %s store', (_name, open) => {
  // Regression: check() read the store alone, where a lease shows as held in full and its uncommitted spend not at all.
  it('admits a call the lease has room for, though the store shows the whole lease held and the window nearly full', async () => {
    const { store, budgets, counter } = leased(open, 1000);
    // The first call takes a lease of 16 calls' worth.
    (await admitted(budgets)).settle(costing(1));
    // Another process spends the window nearly full: with the lease's 16 held, the store leaves less than $1.
    await store.adjust([{ counter: counter.counter, amount: 984.5, expiresAt: counter.expiresAt }], Date.now());
    const asked = budgets.check(call);
    const admission = budgets.admit(call);
    expect(await asked).toBeUndefined();
    expect((await admission).blocked).toBeUndefined();
  });

  it("refuses a call whose window this process's leased calls filled, before their spend is committed, as admit does", async () => {
    const { budgets } = leased(open, 100);
    const reservation = await admitted(budgets);
    // A call that cost more than the worst case it was admitted with (reserve()'s settle): its spend waits for the lease's renewal.
    reservation.settle(costing(99.5));
    const asked = await budgets.check(call);
    const admission = await budgets.admit(call);
    expect(asked).toMatchObject({ code: 'COSTCTL_BUDGET_EXCEEDED', rule: 'daily', spent: 99.5, limit: 100 });
    expect(admission.blocked).toEqual(asked);
  });

  it('agrees with admit call after call as leased calls fill the window', async () => {
    const { budgets } = leased(open, 40);
    const answers: { checked: boolean; admitted: boolean }[] = [];
    for (let i = 0; i < 45; i++) {
      const checked = (await budgets.check(call)) === undefined;
      const admission = await budgets.admit(call);
      answers.push({ checked, admitted: admission.blocked === undefined });
      if (admission.blocked === undefined) admission.reservation?.settle(costing(1));
    }
    expect(answers.filter((answer) => answer.checked !== answer.admitted)).toEqual([]);
    expect(answers.filter((answer) => answer.admitted)).toHaveLength(40);
  });
});
