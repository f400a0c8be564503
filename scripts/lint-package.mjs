// Packs @costctl/otel and @costctl/store-redis as npm would publish them and checks the tarball with
// publint and @arethetypeswrong/cli, so what users install resolves right.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules/.bin', name);
const out = mkdtempSync(join(tmpdir(), 'costctl-pack-'));

for (const pkg of ['packages/otel', 'packages/store-redis']) {
  const [{ filename }] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: join(root, pkg), encoding: 'utf8' }),
  );
  const tarball = join(out, filename);
  console.log(`${pkg}: ${filename}`);
  execFileSync(bin('publint'), ['run', tarball, '--strict'], { stdio: 'inherit' });
  // ESM only: Node >= 22.15 can require() it, and the package declares that floor.
  execFileSync(bin('attw'), [tarball, '--profile', 'esm-only'], { stdio: 'inherit' });
}
