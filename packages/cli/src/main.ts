#!/usr/bin/env node
/**
 * costctl — the operator's command. It reads the same environment and
 * config file as the SDK and speaks to the same store. This file is the
 * process around it: stdout that may close early, the terminal's size,
 * warnings and errors on stderr, and the exit code.
 *
 * Exit codes: 0 success, 1 failure, 2 bad usage or configuration, 3 (status
 * and gate status) the emergency gate is tripped, 4 (reconcile only) the
 * ledger and the provider's bill differ beyond the tolerance, 5 the store
 * (Redis, or the state directory) could not be used: nothing was changed.
 */
import { quietLogger, STORE_UNAVAILABLE_EXIT, USAGE_EXIT } from './command.js';
import { runCostctl } from './program.js';

/** Set once stdout's reader went away (`costctl status | head -1`): the rest of the output has nowhere to go. */
let stdoutClosed = false;

function out(text: string): void {
  if (!stdoutClosed) process.stdout.write(text);
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  stdoutClosed = true;
});

/** Each warning once, though a command may read the configuration twice (reconcile --adjust). */
const warned = new Set<string>();

function onWarning(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`warning: ${message}\n`);
}

// Read when drawn, so a terminal resized during `status --watch` is redrawn to its new size.
const terminal = process.stdout.isTTY
  ? {
      get columns() {
        return process.stdout.columns;
      },
      get rows() {
        return process.stdout.rows;
      },
    }
  : undefined;

runCostctl(process.argv.slice(2), { cwd: process.cwd(), env: process.env, out, logger: quietLogger, onWarning, terminal }).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    // Imported only on failure: `--help` and `--version` never load @costctl/otel.
    void import('@costctl/otel').then(({ isCostctlError }) => {
      if (isCostctlError(error) && error.code === 'COSTCTL_CONFIG_INVALID') {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = USAGE_EXIT;
      } else if (isCostctlError(error) && error.code === 'COSTCTL_STORE_UNAVAILABLE') {
        process.stderr.write(`costctl: ${error.message}\n`);
        process.exitCode = STORE_UNAVAILABLE_EXIT;
      } else {
        process.stderr.write(`costctl: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      }
    });
  },
);
