// Checks every workspace package as npm would publish it: the metadata a user
// sees on the registry, what the tarball holds (no stray files, source maps
// that resolve), `npm publish --dry-run`, then the packed tarball with publint
// and @arethetypeswrong/cli, so what users install resolves right.
// Prints one line per package; on a failure, what failed and why. Needs a build.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPOSITORY = 'https://github.com/costctl/costctl';
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules/.bin', name);
const out = mkdtempSync(join(tmpdir(), 'costctl-pack-'));
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const rootManifest = readJson(join(root, 'package.json'));
const license = readFileSync(join(root, 'LICENSE'), 'utf8');

const manifests = new Map(rootManifest.workspaces.map((dir) => [dir, readJson(join(root, dir, 'package.json'))]));
const versions = new Map([...manifests.values()].map((m) => [m.name, m.version]));

/** Whether `version` is in the caret range `range` (`^1.2.3`, `^0.1.0`): the only kind we use between our packages. */
function inCaretRange(range, version) {
  const match = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!match) return false;
  const [lo, v] = [match.slice(1).map(Number), version.split('.').map(Number)];
  const fixed = lo[0] > 0 ? 1 : lo[1] > 0 ? 2 : 3; // leading parts a caret range holds fixed
  for (let i = 0; i < fixed; i++) if (v[i] !== lo[i]) return false;
  return v[0] * 1e12 + v[1] * 1e6 + v[2] >= lo[0] * 1e12 + lo[1] * 1e6 + lo[2];
}

/** What a user reads about the package before installing it, and what lets them upgrade one package at a time. */
function metadataProblems(dir, m) {
  const problems = [];
  const need = (ok, what) => ok || problems.push(what);
  need(typeof m.description === 'string' && m.description.length > 0, 'description is missing');
  need(Array.isArray(m.keywords) && m.keywords.length > 0, 'keywords are missing');
  need(m.license === 'Apache-2.0', `license is ${JSON.stringify(m.license)}, not "Apache-2.0"`);
  need(m.repository?.url === `git+${REPOSITORY}.git`, `repository.url is ${JSON.stringify(m.repository?.url)}, not "git+${REPOSITORY}.git"`);
  need(m.repository?.directory === dir, `repository.directory is ${JSON.stringify(m.repository?.directory)}, not "${dir}"`);
  need(m.homepage === `${REPOSITORY}/tree/main/${dir}#readme`, `homepage is ${JSON.stringify(m.homepage)}, not "${REPOSITORY}/tree/main/${dir}#readme"`);
  need(m.bugs?.url === `${REPOSITORY}/issues`, `bugs.url is ${JSON.stringify(m.bugs?.url)}, not "${REPOSITORY}/issues"`);
  need(
    m.engines?.node === rootManifest.engines.node,
    `engines.node is ${JSON.stringify(m.engines?.node)}, not the repository's "${rootManifest.engines.node}"`,
  );
  need(m.files?.includes('dist'), 'files does not list dist');
  need(m.publishConfig?.access === 'public', 'publishConfig.access is not "public" (a scoped package is published restricted otherwise)');
  const licenseFile = join(root, dir, 'LICENSE');
  need(existsSync(licenseFile) && readFileSync(licenseFile, 'utf8') === license, 'LICENSE is missing or differs from the root LICENSE');
  need(existsSync(join(root, dir, 'README.md')), 'README.md is missing');
  need(existsSync(join(root, dir, 'CHANGELOG.md')), 'CHANGELOG.md is missing');
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(m[field] ?? {})) {
      if (!versions.has(name)) continue;
      need(
        inCaretRange(range, versions.get(name)),
        `${field}.${name} is "${range}": want a caret range (^x.y.z) that holds ${name}@${versions.get(name)}, so each package upgrades on its own`,
      );
    }
  }
  return problems;
}

/** Source maps and declaration maps must point at files the tarball has, or stack traces and go-to-definition break. */
function mapProblems(dir, files) {
  const packed = new Set(files);
  const problems = [];
  for (const file of files.filter((f) => f.endsWith('.map'))) {
    const { sources = [] } = readJson(join(root, dir, file));
    for (const source of sources) {
      const target = normalize(join(dirname(file), source));
      if (!packed.has(target)) problems.push(`${file} points at ${target}, which is not packed`);
    }
  }
  return problems.slice(0, 5).concat(problems.length > 5 ? [`… and ${problems.length - 5} more maps`] : []);
}

/** A tarball holds the build, the TypeScript it was built from, and top-level files: no test fixtures, keys or scripts. */
function strayProblems(files) {
  const stray = files.filter((f) => f.includes('/') && !f.startsWith('dist/') && !(f.startsWith('src/') && f.endsWith('.ts')));
  return stray.length === 0 ? [] : [`packs files that are neither dist/ nor src/**/*.ts: ${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ', …' : ''}`];
}

function run(command, args, options) {
  try {
    return { ok: true, output: execFileSync(command, args, { encoding: 'utf8', stdio: 'pipe', ...options }) };
  } catch (error) {
    return { ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` || error.message };
  }
}

let failed = false;
for (const [dir, manifest] of manifests) {
  const cwd = join(root, dir);
  const problems = metadataProblems(dir, manifest);

  // --offline: the dry run then skips asking the registry who is logged in, which
  // fails (after a minute of retries) on a machine without the registry; the
  // tarball and the publish checks (not private, valid name and version) stay.
  const publish = run('npm', ['publish', '--dry-run', '--offline', '--json'], { cwd });
  if (!publish.ok) problems.push(`npm publish --dry-run failed:\n${publish.output}`);
  // npm skips a private package with a warning and exit 0: ask what it would have published.
  else if (!publish.output.includes(`"id": "${manifest.name}@${manifest.version}"`))
    problems.push('npm publish --dry-run skips it: is it "private"? Every package here is published');

  const pack = run('npm', ['pack', '--json', '--pack-destination', out], { cwd });
  if (!pack.ok) {
    problems.push(`npm pack failed:\n${pack.output}`);
  } else {
    const [{ filename, files }] = JSON.parse(pack.output);
    const tarball = join(out, filename);
    const paths = files.map((f) => f.path);
    problems.push(...mapProblems(dir, paths), ...strayProblems(paths));
    const publint = run(bin('publint'), ['run', tarball, '--strict']);
    if (!publint.ok) problems.push(`publint:\n${publint.output}`);
    // ESM only: Node >= 22.15 can require() it, and the package declares that floor.
    const attw = run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii']);
    if (!attw.ok) problems.push(`attw:\n${attw.output}`);
  }

  if (problems.length === 0) {
    console.log(`ok   ${manifest.name}@${manifest.version} (${dir}): metadata, contents, publish --dry-run, publint, attw`);
  } else {
    failed = true;
    console.log(`FAIL ${manifest.name}@${manifest.version} (${dir}):`);
    for (const problem of problems) console.log(`  - ${problem.trimEnd().replaceAll('\n', '\n    ')}`);
  }
}
process.exit(failed ? 1 : 0);
