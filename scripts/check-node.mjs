// Fails fast when a script runs on a Node.js below the supported floor.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  console.error(
    `costctl needs Node.js >= 22.15, this is ${process.version} (${process.execPath}).\n` +
      'Run it through npm (npm run build / npm test), which puts the Node.js from node_modules/.bin first on PATH, ' +
      'or run `npm install` first if node_modules/.bin/node is missing.',
  );
  process.exit(2);
}
