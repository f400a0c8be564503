#!/usr/bin/env node
/**
 * The `costctl` command's entry. An unsupported Node.js is refused in one
 * line (exit 2, as for a bad configuration) before anything that needs a
 * newer one loads; then the command runs (main.ts). Imports nothing, so
 * the check itself runs on any Node.js.
 */
const floor = { major: 22, minor: 15 };
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);

if (major > floor.major || (major === floor.major && minor >= floor.minor)) {
  await import('./main.js');
} else {
  process.stderr.write(
    `costctl: Node.js ${process.versions.node} is not supported (costctl needs Node.js >= ${floor.major}.${floor.minor}); ` +
      `install Node.js ${floor.major}.${floor.minor} or later and run costctl with it\n`,
  );
  process.exitCode = 2;
}
