// Prints what the app can see of the global fetch, to check that a disabled
// costctl leaves it untouched.
console.log(JSON.stringify({ fetch: globalThis.fetch.toString(), name: globalThis.fetch.name }));
console.log(JSON.stringify({ done: true }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
