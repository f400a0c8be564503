import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileConfig } from '../config/schema.js';
import { CostctlArgumentError } from '../model/errors.js';
import { openState } from '../state.js';
import { type AdjustmentInput, adjustmentEntry, appendLedgerEntry } from './adjustment.js';
import { readLedger } from './reader.js';

const dir = () => mkdtempSync(join(tmpdir(), 'costctl-adjust-'));
const input = (patch: Partial<AdjustmentInput> = {}): AdjustmentInput => ({
  provider: 'openai',
  model: 'gpt-4o-mini',
  day: '2026-11-20',
  amountUsd: 0.42,
  reason: 'November invoice',
  actor: 'alice',
  source: 'reconcile:openai',
  billedUsd: 3.42,
  localUsd: 3,
  ...patch,
});
const NOW = Date.UTC(2026, 10, 23, 15);

async function all(path: string, query = {}) {
  const entries = [];
  for await (const entry of readLedger(path, query)) entries.push(entry);
  return entries;
}

describe('adjustment entries', () => {
  it('are ledger lines marked as adjustments, dated at noon of the UTC day they correct', () => {
    expect(adjustmentEntry(input(), NOW)).toEqual({
      time: '2026-11-20T12:00:00.000Z',
      kind: 'adjustment',
      provider: 'openai',
      operation: 'adjustment',
      model: 'gpt-4o-mini',
      response_model: null,
      response_id: null,
      outcome: 'ok',
      tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 },
      cost_usd: 0.42,
      cost_source: 'adjustment',
      unpriced_reason: null,
      duration_s: 0,
      labels: {},
      pid: process.pid,
      adjustment: {
        day: '2026-11-20',
        reason: 'November invoice',
        actor: 'alice',
        source: 'reconcile:openai',
        billed_usd: 3.42,
        local_usd: 3,
        recorded_at: '2026-11-23T15:00:00.000Z',
      },
    });
  });

  it('refuse a day that is not a date, an amount that is not a number, and an empty reason', () => {
    expect(() => adjustmentEntry(input({ day: '20/11/2026' }), NOW)).toThrow(/a UTC date such as 2026-11-20/);
    expect(() => adjustmentEntry(input({ day: '20/11/2026' }), NOW)).toThrow(CostctlArgumentError);
    expect(() => adjustmentEntry(input({ amountUsd: Number.NaN }), NOW)).toThrow(/a number of USD/);
    expect(() => adjustmentEntry(input({ reason: '  ' }), NOW)).toThrow(/needs a reason/);
  });

  it('go into the file of the local day they are dated in, after what is there, and are read back in range', async () => {
    const path = dir();
    writeFileSync(join(path, 'ledger-2026-11-20.jsonl'), `${JSON.stringify({ time: '2026-11-20T08:00:00.000Z', provider: 'openai', cost_usd: 1 })}\n`);
    writeFileSync(join(path, 'ledger-2026-11-20.1.jsonl'), `${JSON.stringify({ time: '2026-11-20T09:00:00.000Z', provider: 'openai', cost_usd: 2 })}\n`);
    expect(appendLedgerEntry(path, adjustmentEntry(input(), NOW), 'Europe/Paris')).toBe(join(path, 'ledger-2026-11-20.1.jsonl'));
    expect(appendLedgerEntry(path, adjustmentEntry(input({ amountUsd: -1 }), NOW), 'Asia/Tokyo')).toBe(join(path, 'ledger-2026-11-20.1.jsonl'));
    // Noon UTC is already the next day at UTC+14: that day's file, created.
    expect(appendLedgerEntry(path, adjustmentEntry(input({ day: '2026-11-21' }), NOW), 'Pacific/Kiritimati')).toBe(join(path, 'ledger-2026-11-22.jsonl'));
    expect(readFileSync(join(path, 'ledger-2026-11-20.1.jsonl'), 'utf8').split('\n')).toHaveLength(4);
    const read = await all(path, { since: new Date('2026-11-20T00:00:00Z'), until: new Date('2026-11-21T00:00:00Z') });
    expect(read.map((entry) => [entry.kind ?? 'call', entry.cost_usd])).toEqual([
      ['call', 1],
      ['call', 2],
      ['adjustment', 0.42],
      ['adjustment', -1],
    ]);
    expect(readdirSync(path).sort()).toEqual(['ledger-2026-11-20.1.jsonl', 'ledger-2026-11-20.jsonl', 'ledger-2026-11-22.jsonl']);
  });
});

describe('CostctlState.adjust', () => {
  const rules: NonNullable<FileConfig['rules']> = [
    { name: 'daily', limit: 10, unit: 'usd', window: 'day' },
    { name: 'monthly', limit: 100, unit: 'usd', window: 'month' },
    { name: 'lifetime', limit: 1000, unit: 'usd', window: 'total' },
    { name: 'week', limit: 50, unit: 'usd', window: 'rolling:7d' },
    { name: 'two_days', limit: 50, unit: 'usd', window: 'rolling:2d' },
    { name: 'openai_mini', limit: 5, unit: 'usd', window: 'month', scope: { model: 'gpt-4o-mini' } },
    { name: 'anthropic', limit: 5, unit: 'usd', window: 'month', scope: { provider: 'anthropic' } },
    { name: 'tenant_acme', limit: 5, unit: 'usd', window: 'month', scope: { tenant: 'acme' } },
    { name: 'tokens', limit: 5000, unit: 'tokens', window: 'month' },
  ];

  it('writes the ledger line and moves the USD rules whose current window holds the day, and only those', async () => {
    const stateDir = dir();
    const state = await openState({
      env: { COSTCTL_STATE_DIR: stateDir, COSTCTL_STORE: 'memory' },
      overrides: { labels: ['tenant'], rules, credits: { openai: { balance: 20, since: '2026-11-21' } } },
    });
    try {
      const result = await state.adjust(input(), NOW);
      expect(result.rules).toEqual(['monthly', 'lifetime', 'week', 'openai_mini']);
      expect(result.file).toBe(join(stateDir, 'ledger-2026-11-20.jsonl'));
      expect((await all(stateDir))[0]).toMatchObject({ kind: 'adjustment', cost_usd: 0.42, adjustment: { actor: 'alice' } });
      const spent = Object.fromEntries((await state.rules(NOW)).map((view) => [view.rule.name, view.spent]));
      expect(spent).toEqual({
        daily: 0,
        monthly: 0.42,
        lifetime: 0.42,
        week: 0.42,
        two_days: 0,
        openai_mini: 0.42,
        anthropic: 0,
        tenant_acme: 0,
        tokens: 0,
        credits_openai: 0,
      });

      // A charge not billed per model moves rules of the provider, not those of a model; a negative amount takes spend back.
      const back = await state.adjust(input({ model: null, day: '2026-11-22', amountUsd: -0.12 }), NOW);
      expect(back.rules).toEqual(['monthly', 'lifetime', 'week', 'two_days', 'credits_openai']);
      const after = Object.fromEntries((await state.rules(NOW)).map((view) => [view.rule.name, view.spent]));
      expect(after.monthly).toBeCloseTo(0.3, 12);
      expect(after.credits_openai).toBeCloseTo(-0.12, 12);
    } finally {
      await state.close();
    }
  });

  it('counts in the file store every process shares, as spend a new process reads', async () => {
    const env = { COSTCTL_STATE_DIR: dir(), COSTCTL_MONTHLY_LIMIT_USD: '100' };
    const writer = await openState({ env });
    await writer.adjust(input({ day: new Date().toISOString().slice(0, 10), amountUsd: 2.5 }));
    await writer.close();
    const reader = await openState({ env });
    try {
      expect((await reader.rules()).map((view) => [view.rule.name, view.spent])).toEqual([['monthly_usd', 2.5]]);
    } finally {
      await reader.close();
    }
  });
});
