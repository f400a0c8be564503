// What the bench ran on: the build under test, and how busy the machine was
// (on a shared VM, other processes and the hypervisor take CPU in bursts,
// which shows as spread between rounds).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { repoRoot } from './processes.mjs';

/** The commit the built packages come from, and whether packages/ had uncommitted changes; or the --import given. */
export function buildUnderTest(register) {
  if (register !== '@costctl/otel/register') return register;
  try {
    const git = (...args) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'packages') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in packages/' : ''}`;
  } catch {
    return 'from packages/otel/dist';
  }
}

/** The kernel's CPU counters (Linux /proc/stat), or undefined elsewhere. */
export function cpuSnapshot() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = fields;
    return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
  } catch {
    return undefined;
  }
}

function shares(start, end) {
  const total = end.busy + end.idle + end.steal - (start.busy + start.idle + start.steal);
  if (total <= 0) return { busy: 0, stolen: 0 };
  return { busy: (end.busy - start.busy) / total, stolen: (end.steal - start.steal) / total };
}

/** One line: how busy all CPUs were over the run, and the share the hypervisor stole. */
export function machineLoad(start, end) {
  const load = `load average ${os.loadavg()[0].toFixed(2)} at the end (${os.cpus().length} CPUs)`;
  if (start === undefined || end === undefined) return load;
  const { busy, stolen } = shares(start, end);
  return `${(busy * 100).toFixed(0)}% of all CPUs busy (the bench included), ${(stolen * 100).toFixed(1)}% stolen by the hypervisor; ${load}`;
}
