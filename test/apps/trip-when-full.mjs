// Opens costctl's state as an operator tool would, then fills the disk the
// state directory is on (FILL, a bash command) and tries to trip the gate:
// prints what trip() answered, as one JSON line.
import { execFileSync } from 'node:child_process';
import { openState } from '@costctl/otel';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const state = await openState({ logger: quiet });
execFileSync('bash', ['-c', process.env.FILL]);
try {
  const gate = await state.gate.trip({ reason: 'disk is full', actor: 'alice' });
  console.log(JSON.stringify({ resolved: gate }));
} catch (error) {
  console.log(JSON.stringify({ rejected: { name: error.name, code: error.code, where: error.where, message: error.message } }));
} finally {
  await state.close();
}
