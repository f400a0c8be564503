/** The oldest Node.js costctl runs on: the floor of the OTel SDK 3 line, and the first with `node:sqlite` unflagged. */
export const SUPPORTED_NODE = { major: 22, minor: 15 } as const;

/**
 * The one line that refuses an unsupported Node.js, or undefined when
 * `version` is supported. Imports nothing, so it can run before anything
 * that needs a newer Node is loaded.
 *
 * @example
 * const refusal = unsupportedNode(process.versions.node);
 * if (refusal !== undefined) { process.stderr.write(`${refusal}\n`); process.exit(2); }
 */
export function unsupportedNode(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > SUPPORTED_NODE.major || (major === SUPPORTED_NODE.major && minor >= SUPPORTED_NODE.minor)) return undefined;
  const floor = `${SUPPORTED_NODE.major}.${SUPPORTED_NODE.minor}`;
  return (
    `costctl: Node.js ${version} is not supported (costctl needs Node.js >= ${floor}); ` +
    `install Node.js ${floor} or later, or set COSTCTL_DISABLED=true to run the app without costctl`
  );
}
