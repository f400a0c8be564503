// Reading a V8 .cpuprofile of a bench worker: only the samples of its
// measured window, split into costctl's own work and everything else.
import { readFileSync } from 'node:fs';

const COSTCTL_DIST = '/packages/otel/dist/';

/**
 * costctl frames that only hand the app's work on (the fetch wrapper calling
 * the real fetch, the dispatcher and handler forwarding to undici's): what
 * runs beneath them is the app's call, not costctl's.
 */
const PASS_THROUGH = new Set(['transports/fetch.js fetch', 'transports/fetch.js send', 'transports/fetch.js dispatch']);

/**
 * The app's own work as costctl hands it on by calling it directly: the real
 * `fetch` (a call costctl leaves alone) and the callbacks of fetch's handler
 * in undici. Beneath them is the app's call, whichever costctl frame called them.
 */
function isAppEntry(frame) {
  if (frame.url === 'node:internal/bootstrap/web/exposed-window-or-worker') return frame.functionName === 'fetch';
  return frame.url === 'node:internal/deps/undici/undici' && /^(fetch2?|on[A-Z]\w*)$/.test(frame.functionName);
}

/** A frame's place, as `packages/otel/src/…ts fn` for costctl and `url fn` for the rest. */
function placeOf(frame) {
  const name = frame.functionName || '(anonymous)';
  const at = frame.url.indexOf(COSTCTL_DIST);
  if (at !== -1) return { costctl: true, file: frame.url.slice(at + COSTCTL_DIST.length), name };
  const url = frame.url.replace(/^file:\/\/.*\/node_modules\//, '').replace(/^file:\/\/.*\/bench\//, 'bench/');
  return { costctl: false, file: url, name };
}

/**
 * Microseconds spent in the window [startUs, endUs]: in total, idle, in the
 * garbage collector, and in costctl's own code (its callees included, the
 * app work it passes through excluded), by costctl function and by the leaf
 * function that ran under it; and the rest (the app's work) by leaf function,
 * where costctl's indirect costs show as a difference to the raw run.
 */
export function analyseProfile(path, [startUs, endUs]) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

  const totals = { window: 0, idle: 0, gc: 0, costctl: 0 };
  const byFunction = new Map();
  const byLeaf = new Map();
  const outsideByLeaf = new Map();
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);

  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    time += profile.timeDeltas[i];
    // A sample's weight is the time until the next one.
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (time < startUs || time > endUs || us <= 0) continue;
    totals.window += us;
    const leaf = nodes.get(profile.samples[i]);
    const leafName = leaf.callFrame.functionName;
    if (leafName === '(idle)') {
      totals.idle += us;
      continue;
    }
    if (leafName === '(garbage collector)') {
      totals.gc += us;
      continue;
    }
    const owner = costctlOwner(leaf, nodes, parents);
    const place = placeOf(leaf.callFrame);
    const leafKey = `${place.costctl ? `packages/otel/src/${place.file.replace(/\.js$/, '.ts')}` : place.file} ${place.name}`;
    if (owner === undefined) {
      add(outsideByLeaf, leafKey, us);
      continue;
    }
    totals.costctl += us;
    add(byFunction, owner, us);
    add(byLeaf, leafKey, us);
  }
  return { totals, byFunction, byLeaf, outsideByLeaf };
}

/** The costctl function a sample's time belongs to, or undefined when it is the app's (or nobody's) work. */
function costctlOwner(leaf, nodes, parents) {
  for (let id = leaf.id, callee; id !== undefined; callee = id, id = parents.get(id)) {
    const place = placeOf(nodes.get(id).callFrame);
    if (!place.costctl) continue;
    if (callee !== undefined && isAppEntry(nodes.get(callee).callFrame)) return undefined;
    const key = `${place.file} ${place.name}`;
    // A pass-through frame's own lines are costctl's; what it calls is the app's.
    if (PASS_THROUGH.has(key) && id !== leaf.id) return undefined;
    return `packages/otel/src/${place.file.replace(/\.js$/, '.ts')} ${place.name}`;
  }
  return undefined;
}
