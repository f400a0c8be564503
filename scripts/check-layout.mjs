// The dependency rule of packages/otel/src (docs/architecture.md): each folder
// imports, at run time, nothing but the folders its allow-list names, so the
// call path reads one way. Type-only imports (`import type`, `export type`, or
// braces of `type` names only) are erased by the compiler: they create no load
// order and no run-time cycle, so the few named below are exempt until their
// shared type moves down; any other against the rule fails. Tests are exempt:
// they set up whatever they check. The other packages use @costctl/otel by its
// exports only. Exits 1 naming every import that breaks a rule; `--types`
// also lists the type-only imports that go against the folder rule.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packages = fileURLToPath(new URL('../packages/', import.meta.url));
const src = join(packages, 'otel/src');

/** From this folder, to nothing but these; the root files (sdk, register, index, state, store) wire them all. */
const allowed = {
  model: [],
  config: ['model'],
  store: ['model', 'config'],
  pricing: ['model', 'config'],
  providers: ['model', 'config', 'pricing'],
  gate: ['model', 'config', 'store'],
  budget: ['model', 'config', 'store', 'gate', 'pricing', 'providers'],
  ledger: ['model', 'config', 'store'],
  telemetry: ['model', 'config', 'store'],
  call: ['model', 'config', 'store', 'providers', 'pricing', 'budget', 'gate', 'ledger', 'telemetry'],
  transports: ['model', 'call'],
};

/** Type-only imports still against the rule: each shared type has yet to move down (usually into model/). */
const typeOnlyExempt = new Set([
  'pricing/price-call.ts -> providers/types.ts',
  'pricing/price-parts.ts -> providers/types.ts',
  'telemetry/budget-gauges.ts -> budget/levels.ts',
  'telemetry/budget-gauges.ts -> gate/gate.ts',
  'telemetry/span-calls.ts -> call/call.ts',
  'transports/blocked-response.ts -> providers/types.ts',
]);

const sources = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });

const folderOf = (path) => {
  const parts = relative(src, path).split('/');
  return parts.length === 1 ? '' : parts[0];
};

const importPattern = /(?:^|[\n;])\s*(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|(?:^|\n)\s*import\s*'([^']+)'/g;

const isTypeOnly = (typeKeyword, clause) => {
  if (typeKeyword) return true;
  const braces = clause?.trim().match(/^\{([^}]*)\}$/s);
  if (!braces) return false;
  const names = braces[1]
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return names.length > 0 && names.every((name) => name.startsWith('type '));
};

const problems = [];
const typeOnlyAgainst = [];
const unknownFolders = new Set();
let edges = 0;
for (const file of sources(src)) {
  const from = folderOf(file);
  if (from !== '' && !(from in allowed)) unknownFolders.add(from);
  for (const [, typeKeyword, clause, staticSpec, dynamicSpec, bareSpec] of readFileSync(file, 'utf8').matchAll(importPattern)) {
    const spec = staticSpec ?? dynamicSpec ?? bareSpec;
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
    const to = folderOf(target);
    if (to === from || from === '') continue;
    if (isTypeOnly(typeKeyword, clause)) {
      if (to !== '' && allowed[from]?.includes(to)) continue;
      const edge = `${relative(src, file)} -> ${relative(src, target)}`;
      typeOnlyAgainst.push(edge);
      if (!typeOnlyExempt.has(edge)) problems.push(`${edge}: a type-only import against the rule; move the shared type down (usually into model/)`);
      continue;
    }
    edges += 1;
    if (to === '') {
      problems.push(`${relative(src, file)} imports ${spec}: a folder must not import the package root`);
      continue;
    }
    if (allowed[from]?.includes(to)) continue;
    problems.push(`${relative(src, file)} imports ${spec}: ${from}/ may import only ${allowed[from]?.map((name) => `${name}/`).join(', ') || 'itself'}`);
  }
}
for (const folder of unknownFolders) problems.push(`${folder}/ has no rule in scripts/check-layout.mjs: add one`);
for (const edge of typeOnlyExempt)
  if (!typeOnlyAgainst.includes(edge)) problems.push(`${edge} is exempt in scripts/check-layout.mjs but no longer imported: drop the exemption`);

// The CLI, the Redis store and the testkit see what a user of the package sees.
const exported = Object.keys(JSON.parse(readFileSync(join(packages, 'otel/package.json'), 'utf8')).exports).map((path) => `@costctl/otel${path.slice(1)}`);
for (const name of ['cli', 'store-redis', 'testkit']) {
  const root = join(packages, name, 'src');
  for (const file of sources(root)) {
    for (const [, , , staticSpec, dynamicSpec, bareSpec] of readFileSync(file, 'utf8').matchAll(importPattern)) {
      const spec = staticSpec ?? dynamicSpec ?? bareSpec;
      const outside = spec.startsWith('.') && relative(root, resolve(dirname(file), spec)).startsWith('..');
      if (outside || (spec.startsWith('@costctl/otel') && !exported.includes(spec))) {
        problems.push(`packages/${name}/src/${relative(root, file)} imports ${spec}: use @costctl/otel by its exports (${exported.join(', ')})`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`The dependency rule (docs/architecture.md) is broken:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`packages/otel/src: ${edges} run-time imports across folders, all along the dependency rule`);
const typeNote = `${typeOnlyAgainst.length} type-only imports go against it (exempt)`;
console.log(process.argv.includes('--types') ? `${typeNote}:\n  ${typeOnlyAgainst.join('\n  ')}` : `${typeNote}; --types lists them`);
