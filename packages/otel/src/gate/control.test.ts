import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { isCostctlError } from '../model/errors.js';
import { logger, setLogger } from '../model/logger.js';
import { FileStore } from '../store/file.js';
import { MemoryStore } from '../store/memory.js';
import type { CostStore, GateState } from '../store/types.js';
import { disabledGateControl, gateControl } from './control.js';
import { Gate } from './gate.js';

const dirs: string[] = [];
const closers: (() => unknown)[] = [];
const appLogger = logger;
afterEach(async () => {
  setLogger(appLogger);
  for (const close of closers.splice(0)) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function control(store: CostStore, stateDir = '/nonexistent') {
  const gate = new Gate(store, store.gate());
  closers.push(
    () => gate.close(),
    () => store.close(),
  );
  return gateControl(gate, store, loadConfig({ env: { COSTCTL_STATE_DIR: stateDir }, cwd: tmpdir() }));
}

describe('gateControl', () => {
  it('trips, resets and reads back the gate, audited, and tells listeners of each change', async () => {
    const gate = control(new MemoryStore());
    const seen: boolean[] = [];
    gate.onChange((state) => seen.push(state.tripped));
    expect(await gate.state()).toMatchObject({ tripped: false });
    expect(await gate.trip({ reason: 'runaway agent', actor: 'alice' })).toMatchObject({ tripped: true, reason: 'runaway agent', actor: 'alice' });
    expect(await gate.state()).toMatchObject({ tripped: true, actor: 'alice' });
    expect(await gate.reset({ reason: 'fixed', actor: 'bob' })).toMatchObject({ tripped: false });
    expect(seen).toEqual([true, false]);
    expect((await gate.audit()).map((entry) => [entry.action, entry.actor])).toEqual([
      ['trip', 'alice'],
      ['reset', 'bob'],
    ]);
  });

  it('rejects state() with a coded error naming the file while the store fails closed, rather than give the stand-in', async () => {
    setLogger({ debug() {}, info() {}, warn() {}, error() {} });
    const dir = mkdtempSync(join(tmpdir(), 'costctl-gate-control-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'state.sqlite'), Buffer.alloc(4096, 'not a database '));
    const store = new FileStore(dir, { pollMillis: 10 });
    const blocked: GateState = await store.gate();
    expect(blocked).toMatchObject({ tripped: true, actor: 'costctl' });
    const error: unknown = await control(store, dir)
      .state()
      .catch((rejected: unknown) => rejected);
    expect(isCostctlError(error) && error.code).toBe('COSTCTL_STORE_UNAVAILABLE');
    expect(error).toMatchObject({ where: dir, message: expect.stringMatching(/^could not read the gate: .*state\.sqlite/) });
  });
});

describe('disabledGateControl', () => {
  it('reads open and refuses every change with COSTCTL_DISABLED', async () => {
    const gate = disabledGateControl();
    expect(await gate.state()).toMatchObject({ tripped: false });
    await expect(gate.trip({ reason: 'r' })).rejects.toMatchObject({ code: 'COSTCTL_DISABLED' });
    await expect(gate.reset({ reason: 'r' })).rejects.toMatchObject({ code: 'COSTCTL_DISABLED' });
    expect(await gate.audit()).toEqual([]);
  });
});
