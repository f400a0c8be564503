/**
 * `node --import @costctl/otel/register app.js`: starts costctl from the
 * environment and the config file before the app's first line runs. With
 * `COSTCTL_DISABLED=true` it loads nothing else and patches nothing. An
 * unsupported Node.js or an invalid configuration stops start-up with one
 * readable message (exit 2), before the app makes a call.
 */
import { unsupportedNode } from './node-version.js';

const disabled = /^(true|1)$/i.test(process.env.COSTCTL_DISABLED?.trim() ?? '');

if (!disabled) {
  // Checked before sdk.js loads: on an older Node its store fails later, in ways no operator can fix.
  const refusal = unsupportedNode(process.versions.node);
  if (refusal !== undefined) {
    process.stderr.write(`${refusal}\n`);
    process.exit(2);
  }
  const { start } = await import('./sdk.js');
  const { isCostctlError } = await import('./model/errors.js');
  try {
    const costctl = start();
    // Pushed metrics (OTLP) would be lost at a natural exit without a last export.
    process.once('beforeExit', () => void costctl.shutdown());
  } catch (error) {
    if (!isCostctlError(error)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
