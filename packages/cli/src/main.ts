#!/usr/bin/env node
/**
 * costctl — the operator's command. It reads the same environment and
 * config file as the SDK and speaks to the same store.
 *
 * Exit codes: 0 success, 1 failure, 2 bad usage or configuration, 3 (status
 * and gate status) the emergency gate is tripped, 4 (reconcile only) the
 * ledger and the provider's bill differ beyond the tolerance, 5 the store
 * (Redis, or the state directory) could not be used: nothing was changed.
 */
import { isCostctlError } from '@costctl/otel';
import { forecast } from './commands/forecast.js';
import { gate } from './commands/gate.js';
import { init } from './commands/init.js';
import { price } from './commands/price.js';
import { reconcile } from './commands/reconcile.js';
import { report } from './commands/report.js';
import { rules } from './commands/rules.js';
import { status } from './commands/status.js';
import { quietLogger, STORE_UNAVAILABLE_EXIT, UsageError, type Command } from './command.js';

const commands: Record<string, Command> = { status, gate, report, forecast, reconcile, price, init, rules };

const usage = `usage: costctl <command> [options]

  status [--json]                                  gate state and every budget rule (exit 3 while the gate is tripped)
  gate trip --reason R | gate reset --reason R     the emergency kill switch and its recovery; audited
  gate status [--json]                             the gate as the store holds it (exit 3 while tripped)
  report [--since D] [--until D] [--by K,…] [--json|--csv]
                                                   spend from the ledger, grouped by provider, model, operation or a label
  forecast [--days N] [--json]                     projected spend and the date each limit will be reached
  reconcile --provider openai|anthropic [--since D] [--until D] [--tolerance P] [--json]
                                                   the ledger against the provider's usage and cost reports, per UTC day
                                                   and model (admin key in OPENAI_ADMIN_KEY / ANTHROPIC_ADMIN_KEY; exit 4
                                                   beyond the tolerance); add --adjust --reason R to correct the ledger
                                                   and budgets to the bill
  price <model> [--provider P] [--input N] [--output N]
                                                   what a call costs, and which price data says so
  init [--force]                                   write costctl.config.yaml with the default budgets, commented
  rules                                            Prometheus alert rules for the budgets configured, as YAML

Reads COSTCTL_* and OTEL_* variables and the config file like the SDK does.
Exit codes: 0 done, 1 failed, 2 bad usage or configuration, 3 gate tripped (status),
4 bill mismatch (reconcile), 5 the store could not be used: nothing was changed.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(`${usage}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) throw new UsageError(`unknown command "${name}"`);
  return command(args, { cwd: process.cwd(), env: process.env, out, logger: quietLogger });
}

/** Set once stdout's reader went away (`costctl status | head -1`): the rest of the output has nowhere to go. */
let stdoutClosed = false;

function out(text: string): void {
  if (!stdoutClosed) process.stdout.write(text);
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  stdoutClosed = true;
});

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`costctl: ${error.message}\n\n${usage}\n`);
      process.exitCode = 2;
    } else if (isCostctlError(error) && error.code === 'COSTCTL_CONFIG_INVALID') {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    } else if (isCostctlError(error) && error.code === 'COSTCTL_STORE_UNAVAILABLE') {
      process.stderr.write(`costctl: ${error.message}\n`);
      process.exitCode = STORE_UNAVAILABLE_EXIT;
    } else {
      process.stderr.write(`costctl: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
