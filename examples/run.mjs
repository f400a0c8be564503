// `npm run example <name>`: runs one example folder's run.mjs, which starts
// what the example needs locally (a fake provider, Redis, a Collector) and
// then its app under `node --import @costctl/otel/register`.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const names = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, 'run.mjs')))
  .map((entry) => entry.name)
  .sort();
const name = process.argv[2];

if (!names.includes(name)) {
  console.error(`${name === undefined ? 'Name an example' : `No example "${name}"`}: npm run example <name>, one of\n${names.map((n) => `  ${n}`).join('\n')}`);
  process.exit(2);
}
await import(pathToFileURL(join(here, name, 'run.mjs')).href);
