import { readFileSync } from 'node:fs';
import { Command as Commander, CommanderError, Option } from 'commander';
import { USAGE_EXIT, UsageError, type Command, type CommandContext } from './command.js';
import { PERIODS } from './periods.js';

/**
 * The `costctl` command line: every command, its options, examples and
 * exit codes, in one place, as `costctl help <command>` shows them. A
 * command's module (and @costctl/otel with it) is loaded only when that
 * command runs, so `--help` and `--version` start fast.
 */

const DOCS = 'https://github.com/costctl/costctl/blob/main/docs/cli.md';

/** What each exit code means, as every command's help lists the ones it uses. */
const EXIT = {
  0: 'done',
  1: 'failed (the message says why)',
  2: 'bad usage or configuration (the message names the option, key or variable)',
  3: 'the emergency gate is tripped',
  4: 'the ledger and the bill differ beyond the tolerance',
  5: 'the store (Redis, or the state directory) could not be used: nothing changed',
} as const;

type ExitCode = keyof typeof EXIT;

interface Help {
  examples: string[];
  /** Exit codes beyond 0 and 2, which every command has; with the meaning for this command where it is more precise. */
  exits: (ExitCode | [ExitCode, string])[];
}

function helpText({ examples, exits }: Help): string {
  const codes = new Map<number, string>([
    [0, EXIT[0]],
    [2, EXIT[2]],
  ]);
  for (const exit of exits) codes.set(Array.isArray(exit) ? exit[0] : exit, Array.isArray(exit) ? exit[1] : EXIT[exit]);
  const sorted = [...codes].sort(([a], [b]) => a - b);
  return `\nExamples:\n${examples.map((example) => `  $ ${example}`).join('\n')}\n\nExit codes:\n${sorted.map(([code, meaning]) => `  ${code}  ${meaning}`).join('\n')}\n`;
}

function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * Runs `costctl` with its arguments (without `node` and the script) and
 * resolves to the exit code. Bad usage is reported on stderr with where to
 * read the usage (exit 2); any other error rejects, for the caller to report.
 *
 * @example
 * process.exitCode = await runCostctl(['status', '--json'], { cwd: process.cwd(), env: process.env, out });
 */
export async function runCostctl(argv: string[], context: CommandContext): Promise<number> {
  let code = 0;
  const program = costctlProgram(context, (exit) => (code = exit));
  const args = argv[0] === 'help' ? helpArgs(program, argv.slice(1)) : argv;
  try {
    await program.parseAsync(args, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT;
    throw error;
  }
}

/**
 * `costctl help gate trip` is `costctl gate trip --help`, however deep the
 * command; a name no command has is run as it is, for commander to name
 * the nearest one.
 */
function helpArgs(program: Commander, names: string[]): string[] {
  let command = program;
  for (const [i, name] of names.entries()) {
    const sub = command.commands.find((candidate) => candidate.name() === name);
    if (sub === undefined) return names.slice(0, i + 1);
    command = sub;
  }
  return [...names, '--help'];
}

/** The program: commands whose actions report their exit code to `exit`. */
function costctlProgram(context: CommandContext, exit: (code: number) => void): Commander {
  const program = new Commander('costctl')
    .usage('<command> [options]')
    .description(
      "The operator's command for costctl: the emergency gate, budgets and their spend, reports and forecasts from the ledger, " +
        "reconciliation with the provider's bill. It reads the COSTCTL_* and OTEL_* variables and the config file as the SDK does, " +
        'and speaks to the same store.',
    )
    .version(version(), '-v, --version', 'print the version of costctl')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command]', "a command's usage, options, examples, exit codes")
    .configureHelp({
      sortSubcommands: false,
      sortOptions: false,
      // `price <model>`, not `price [options] <model>`: every command has options, its own help lists them.
      subcommandTerm: (command) =>
        [command.name(), ...command.registeredArguments.map((arg) => (arg.required ? `<${arg.name()}>` : `[${arg.name()}]`))].join(' '),
    })
    .configureOutput({
      writeOut: context.out,
      writeErr: (text) => process.stderr.write(text),
      // `error: unknown option '--jsn'\n(Did you mean --json?)` → `costctl: unknown option '--jsn'; did you mean --json?`
      outputError: (text, write) => write(text.replace(/^error: /, 'costctl: ').replace(/\n\(Did you mean (.+)\?\)/, '; did you mean $1?')),
    })
    .exitOverride()
    .addHelpText(
      'after',
      `\nExit codes:\n${Object.entries(EXIT)
        .map(([code, meaning]) => `  ${code}  ${meaning}${code === '3' ? ' (status, gate status)' : code === '4' ? ' (reconcile)' : ''}`)
        .join('\n')}\n\nRun "costctl help <command>" for a command's options, examples and exit codes.\nDocumentation: ${DOCS}\n`,
    );

  /** The action of a command: loads its module, runs it, reports bad usage as commander reports its own. */
  const action =
    <O>(load: () => Promise<Command<O>>, argument?: keyof O) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Commander;
      const options = { ...command.opts(), ...(argument === undefined ? {} : { [argument]: args[0] }) } as O;
      try {
        exit(await (await load())(options, context));
      } catch (error) {
        if (error instanceof UsageError) command.error(`error: ${error.message}`, { exitCode: USAGE_EXIT, code: 'costctl.usage' });
        throw error;
      }
    };

  program
    .command('status')
    .summary('the gate and every budget rule; exit 3 while tripped')
    .description(
      "The emergency gate, the store and time zone, and every budget rule's spend, limit, share used, level and action in its current window. " +
        'Exits 3 while the gate is tripped, for health checks. With --watch, redraws in place until Ctrl-C.',
    )
    .addOption(new Option('--json', 'print one JSON object for scripts: {gate, store, timezone, currency?, rules}').conflicts('watch'))
    .option('--watch', 'redraw every few seconds until Ctrl-C (then exit 0)')
    .option('--interval <seconds>', 'seconds between redraws with --watch (default: 2)')
    .addHelpText(
      'after',
      helpText({
        examples: ['costctl status', `costctl status --json | jq '.rules[] | select(.level != "ok")'`, 'costctl status --watch --interval 5'],
        exits: [[0, 'the gate is open (and, with --watch, stopped with Ctrl-C)'], 3, [5, 'the store could not be read']],
      }),
    )
    .action(action(async () => (await import('./commands/status.js')).status));

  const gate = program
    .command('gate')
    .summary('trip or reset the emergency gate, or show it')
    .description(
      "The emergency gate: the operator's kill switch. Tripped, every process sharing the store blocks every call to a paid API until it is reset. " +
        'Every change is audited with its reason and actor.',
    )
    .usage('<trip|reset|status> [options]')
    .addHelpText(
      'after',
      helpText({
        examples: ['costctl gate trip --reason "runaway agent"', 'costctl gate status --json', 'costctl gate reset --reason "agent fixed" --actor alice'],
        exits: [3, 5],
      }),
    );
  for (const change of ['trip', 'reset'] as const) {
    gate
      .command(change)
      .summary(change === 'trip' ? 'block every call to a paid API now, audited' : 'let calls flow again, audited')
      .description(
        change === 'trip'
          ? 'Trips the emergency gate: every process sharing the store blocks every call to a paid API until the gate is reset. The reason and actor go into the audit log.'
          : 'Resets the emergency gate: calls flow again. The reason and actor go into the audit log.',
      )
      .option('--reason <text>', 'why, for the audit log (required)')
      .option('--actor <name>', 'who, for the audit log (default: user@host)')
      .addHelpText(
        'after',
        helpText({
          examples:
            change === 'trip'
              ? ['costctl gate trip --reason "retry storm"', 'COSTCTL_STORE=redis costctl gate trip --reason "leaked key" --actor alice']
              : ['costctl gate reset --reason "loop fixed"'],
          exits: [
            [0, change === 'trip' ? 'the gate is tripped, as the store confirmed' : 'the gate is reset, as the store confirmed'],
            [5, `the store could not take the change: the gate was NOT ${change === 'trip' ? 'tripped' : 'reset'}`],
          ],
        }),
      )
      .action(action(async () => (await import('./commands/gate.js')).gateChange(change)));
  }
  gate
    .command('status')
    .summary('the gate as the store holds it (exit 3 while tripped)')
    .description('The gate as the store holds it: open, or tripped since when, by whom and why. Exits 3 while tripped, for health checks.')
    .option('--json', 'print one JSON object for scripts: {tripped, reason, actor, since}')
    .addHelpText(
      'after',
      helpText({ examples: ['costctl gate status', 'costctl gate status --json'], exits: [[0, 'the gate is open'], 3, [5, 'the store could not be read']] }),
    )
    .action(action(async () => (await import('./commands/gate.js')).gateStatus));

  program
    .command('report')
    .summary('spend from the ledger, as a table or a chart')
    .description(
      'Spend from the ledger: calls, tokens and cost, grouped by provider, model, operation, outcome, source, day or a label in COSTCTL_LABELS; ' +
        "with the Redis store, every host's spend from the store's aggregates, by day and provider, model or a label (--source ledger for this host's). " +
        'the most expensive group first. --chart draws spend per hour, day or month as bars instead.',
    )
    .option(
      '--since <when>',
      'from this time: 2026-11-01, 2026-11-01T12:00:00Z, or an age such as 7d, 12h, 30m (default: the whole ledger; with --chart, 48h, 30d or 365d)',
    )
    .option('--until <when>', 'up to this time, in the same forms (default: now)')
    .addOption(
      new Option(
        '--by <keys>',
        'comma-separated keys to group by: provider, model, operation, outcome, source, day, or a label (default: provider,model; for the fleet: model)',
      ),
    )
    .addOption(new Option('--json', 'print a JSON array for scripts: one object per group').conflicts(['csv', 'chart']))
    .addOption(new Option('--csv', 'print CSV with a header row').conflicts('chart'))
    .addOption(new Option('--chart [period]', 'draw spend per period as bars in the terminal').choices(PERIODS).conflicts('by'))
    .addOption(
      new Option(
        '--source <where>',
        "fleet: every host's spend from the store's aggregates, by day, provider, model or a label; ledger: this host's calls in detail (default: fleet with the Redis store, else ledger)",
      ).choices(['fleet', 'ledger']),
    )
    .addHelpText(
      'after',
      helpText({
        examples: [
          'costctl report --since 7d',
          'costctl report --by provider,model,tenant --csv > spend.csv',
          'costctl report --chart',
          'costctl report --chart hour --since 12h',
          'costctl report --by day --json',
        ],
        exits: [[5, 'the ledger could not be read (a wrong COSTCTL_STATE_DIR, or run from another directory)']],
      }),
    )
    .action(action(async () => (await import('./commands/report.js')).report));

  program
    .command('forecast')
    .summary('projected spend, and when each limit is reached')
    .description(
      'For each budget rule with a window of a day or more: its own rate (the daily average over the last N days of what the calls in its scope used, in its unit) ' +
        'carried forward to the end of its window, and the date its limit will be reached.',
    )
    .option('--days <n>', 'days of the ledger to average over, 1 to 365', '7')
    .option('--json', 'print one JSON object for scripts: {days, perDayUsd, rules}')
    .addOption(
      new Option(
        '--source <where>',
        "fleet: every rule's spend as the shared store counts it and rates from its day aggregates, every host included; ledger: this host's ledger (default: fleet with the Redis store, else ledger)",
      ).choices(['fleet', 'ledger']),
    )
    .addHelpText('after', helpText({ examples: ['costctl forecast', 'costctl forecast --days 30 --json'], exits: [] }))
    .action(action(async () => (await import('./commands/forecast.js')).forecast));

  program
    .command('reconcile')
    .summary("the ledger against the provider's bill")
    .description(
      "Compares the ledger with the provider's own usage and cost reports, per UTC day and model, and explains each difference beyond the tolerance. " +
        "With the Redis store, compares every host's spend instead, a row per UTC day. --bill reads a bill exported as CSV instead of the admin API. " +
        'Reads the admin key from OPENAI_ADMIN_KEY or ANTHROPIC_ADMIN_KEY (never printed). With --adjust, corrects the ledger and the budgets to the bill.',
    )
    .option('--provider <name>', 'whose bill: openai or anthropic (required, unless --bill names it)')
    .option(
      '--bill <file>',
      "a bill exported as CSV instead of the admin API: OpenAI's cost export, an AWS Cost and Usage Report (Bedrock) or a Google Cloud billing export (Vertex AI, Gemini API); its header row tells which",
    )
    .option('--since <when>', 'from this time: a date, a time, or an age such as 7d (default: 7d; with --bill, the first day it bills)')
    .option('--until <when>', 'up to this time (default: now)')
    .option('--tolerance <share>', "the difference allowed, a fraction such as 0.02 or a percentage such as 2% (default: the config's reconcile.tolerance)")
    .option('--json', 'print one JSON object for scripts: {verdict, mismatches, rows, totals, …}')
    .option('--adjust', 'write each difference to the ledger and the budgets (needs --reason)')
    .option('--reason <text>', 'why, written with each adjustment (with --adjust)')
    .option('--actor <name>', 'who, written with each adjustment (default: user@host)')
    .addOption(
      new Option(
        '--source <where>',
        "fleet: the bill against every host's spend from the store's aggregates, a row per UTC day; ledger: against this host's ledger, per day and model (default: fleet with the Redis store, else ledger)",
      ).choices(['fleet', 'ledger']),
    )
    .addHelpText(
      'after',
      helpText({
        examples: [
          'OPENAI_ADMIN_KEY=sk-admin-… costctl reconcile --provider openai',
          'costctl reconcile --provider anthropic --since 2026-11-01 --until 2026-12-01 --json',
          'costctl reconcile --provider openai --adjust --reason "November invoice"',
        ],
        exits: [
          [0, 'every complete day is within the tolerance, or --adjust made the ledger follow the bill'],
          1,
          4,
          [5, 'the ledger or the store could not be used'],
        ],
      }),
    )
    .action(action(async () => (await import('./commands/reconcile.js')).reconcile));

  program
    .command('price')
    .summary('what a call costs, and by which price data')
    .description('What a call to a model costs for the tokens given, and which price data says so (the config\'s "prices" first, then the price table).')
    .argument('<model>', 'the model, as the API names it: gpt-4o-mini, claude-haiku-4-5, …')
    .option('--provider <name>', 'the provider (default: anthropic for claude-…, else openai)')
    .option('--input <tokens>', 'input tokens', '1000')
    .option('--output <tokens>', 'output tokens', '1000')
    .option('--cache-read <tokens>', "input tokens read from the provider's cache", '0')
    .option('--json', 'print one JSON object for scripts: the query and its quote (null when unpriced)')
    .addHelpText(
      'after',
      helpText({
        examples: ['costctl price gpt-4o-mini', 'costctl price claude-sonnet-4-5 --input 20000 --output 800', 'costctl price gpt-4o --json'],
        exits: [[1, 'no price is known for the model']],
      }),
    )
    .action(action(async () => (await import('./commands/price.js')).price, 'model'));

  const prices = program
    .command('prices')
    .summary('keep the price data current: update it, or show the data in use')
    .description(
      "The price data calls are priced with: genai-prices' data bundled with costctl, or newer data `costctl prices update` put into the state directory, " +
        'which every process sharing that directory picks up without a restart.',
    )
    .usage('<update|status> [options]')
    .addHelpText(
      'after',
      helpText({ examples: ['costctl prices update', 'costctl prices update --from ./data.json', 'costctl prices status --json'], exits: [1] }),
    );
  prices
    .command('update')
    .summary('fetch newer price data, validate it, swap it into the state directory')
    .description(
      "Fetches price data in genai-prices' format, checks it (its structure, and every provider costctl prices), and swaps it atomically into the state directory " +
        '(prices.json), recording its version, source and fetch time. Running processes sharing the directory price calls with it within their evaluation interval. ' +
        'Data that does not validate changes nothing.',
    )
    .option('--from <file|url>', "a file or an http(s) URL (default: genai-prices' published data)")
    .option('--json', 'print one JSON object for scripts: {path, data, previous}')
    .addHelpText(
      'after',
      helpText({
        examples: [
          'costctl prices update',
          'costctl prices update --from ./data.json',
          'costctl prices update --from https://mirror.example.com/genai-prices/data.json',
        ],
        exits: [
          [0, 'the state directory holds the new data'],
          [1, 'the data could not be fetched, did not validate, or could not be written: nothing changed'],
        ],
      }),
    )
    .action(action(async () => (await import('./commands/prices.js')).pricesUpdate));
  prices
    .command('status')
    .summary('the price data in use: where from, version, age, path')
    .description(
      "The price data processes sharing the state directory price calls with: bundled or the state directory's, its version, how old it is, and its path.",
    )
    .option('--json', 'print one JSON object for scripts: {source, version, asOf, ageSeconds, stale, path, …}')
    .addHelpText('after', helpText({ examples: ['costctl prices status', 'costctl prices status --json | jq .ageSeconds'], exits: [] }))
    .action(action(async () => (await import('./commands/prices.js')).pricesStatus));

  program
    .command('init')
    .summary('write costctl.config.yaml with the default budgets')
    .description('Writes costctl.config.yaml in the current directory: the default budgets and every setting, commented.')
    .option('--force', 'overwrite the file if it exists')
    .addHelpText('after', helpText({ examples: ['costctl init', 'costctl init --force'], exits: [[1, 'the file exists (use --force)']] }))
    .action(action(async () => (await import('./commands/init.js')).init));

  program
    .command('rules')
    .summary('Prometheus alert rules for the budgets, as YAML')
    .description(
      'Prints Prometheus alert rules for the budget rules configured: warning and critical levels and a forecast, per rule. List the file under rule_files.',
    )
    .addHelpText('after', helpText({ examples: ['costctl rules > costctl-rules.yml'], exits: [] }))
    .action(action(async () => (await import('./commands/rules.js')).rules));

  // Each command names its own help after an error, so the hint reads "costctl gate trip --help", not "costctl --help".
  const name = (command: Commander): string => (command.parent ? `${name(command.parent)} ${command.name()}` : command.name());
  const hint = (command: Commander) => {
    command.showHelpAfterError(`Run "${name(command)} --help" for its usage${command.parent ? ', options and examples' : ' and commands'}.`);
    command.commands.forEach(hint);
  };
  hint(program);
  return program;
}
