import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costctl, workdir } from './helpers/costctl.js';
import { repoRoot } from './helpers/run-app.js';

const cwd = workdir();

/** The names in the "Commands:" list of a help text, `help` left out. */
function commandsIn(help: string): string[] {
  const list = help.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '';
  return [...list.matchAll(/^ {2}(\S+)/gm)].map(([, name]) => name!).filter((name) => name !== 'help');
}

/** The long options in the "Options:" list of a help text, `--help` left out. */
function optionsIn(help: string): string[] {
  const list = help.split('\nOptions:\n')[1]?.split('\n\n')[0] ?? '';
  return [...list.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map(([, flag]) => flag!).filter((flag) => flag !== '--help');
}

/** Every command path, `gate trip` included. */
function everyCommand(): string[][] {
  const paths: string[][] = [];
  const walk = (path: string[]) => {
    const help = costctl(['help', ...path], { cwd }).stdout;
    for (const name of commandsIn(help)) {
      paths.push([...path, name]);
      walk([...path, name]);
    }
  };
  walk([]);
  return paths;
}

describe('costctl help and usage', () => {
  it('prints its version, the one its package has, with --version or -v', () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'packages/cli/package.json'), 'utf8')) as { version: string };
    expect(costctl(['--version'], { cwd })).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(costctl(['-v'], { cwd })).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('lists every command with what it does and every exit code; with no command at all, on stderr with exit 2', () => {
    const help = costctl(['--help'], { cwd });
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: costctl <command> \[options\]\n/);
    expect(commandsIn(help.stdout)).toEqual(['status', 'gate', 'report', 'forecast', 'reconcile', 'price', 'prices', 'init', 'rules']);
    expect(help.stdout).toMatch(/^ {2}status +the gate and every budget rule; exit 3 while tripped$/m);
    for (const code of [0, 1, 2, 3, 4, 5]) expect(help.stdout).toMatch(new RegExp(`^  ${code}  \\S`, 'm'));
    expect(costctl(['help'], { cwd })).toEqual(help);
    expect(costctl([], { cwd })).toEqual({ code: 2, stdout: '', stderr: help.stdout });
  });

  it('shows each command its usage, options, examples and exit codes, the same with "help <command>" and "<command> --help"', () => {
    const paths = everyCommand();
    expect(paths.map((path) => path.join(' '))).toEqual([
      'status',
      'gate',
      'gate trip',
      'gate reset',
      'gate status',
      'report',
      'forecast',
      'reconcile',
      'price',
      'prices',
      'prices update',
      'prices status',
      'init',
      'rules',
    ]);
    for (const path of paths) {
      const help = costctl(['help', ...path], { cwd });
      expect(help, path.join(' ')).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout).toMatch(new RegExp(`^Usage: costctl ${path.join(' ')} `));
      expect(help.stdout).toMatch(/\nExamples:\n {2}\$ (\S+=\S+ )*costctl /);
      expect(help.stdout).toMatch(/\nExit codes:\n {2}0 {2}\S[\s\S]* {2}2 {2}bad usage or configuration/);
      expect(costctl([...path, '--help'], { cwd })).toEqual(help);
    }
    const status = costctl(['status', '--help'], { cwd }).stdout;
    expect(optionsIn(status)).toEqual(['--json', '--watch', '--interval']);
    expect(status).toMatch(/^ {2}3 {2}the emergency gate is tripped$/m);
    expect(optionsIn(costctl(['help', 'report'], { cwd }).stdout)).toEqual(['--since', '--until', '--by', '--json', '--csv', '--chart', '--source']);
  });

  it('names an unknown command or option with the nearest one, and where to read the usage; exit 2', () => {
    expect(costctl(['stauts'], { cwd })).toEqual({
      code: 2,
      stdout: '',
      stderr: `costctl: unknown command 'stauts'; did you mean status?\nRun "costctl --help" for its usage and commands.\n`,
    });
    expect(costctl(['help', 'reprot'], { cwd })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^costctl: unknown command 'reprot'; did you mean report\?\n/),
    });
    expect(costctl(['gate', 'trp', '--reason', 'x'], { cwd })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^costctl: unknown command 'trp'; did you mean trip\?\n/),
    });
    expect(costctl(['status', '--jsn'], { cwd })).toEqual({
      code: 2,
      stdout: '',
      stderr: `costctl: unknown option '--jsn'; did you mean --json?\nRun "costctl status --help" for its usage, options and examples.\n`,
    });
    expect(costctl(['gate', 'trip', '--reasn', 'runaway'], { cwd })).toMatchObject({
      code: 2,
      stderr: `costctl: unknown option '--reasn'; did you mean --reason?\nRun "costctl gate trip --help" for its usage, options and examples.\n`,
    });
    // Far from every option: named, with no guess.
    expect(costctl(['report', '--colour'], { cwd })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^costctl: unknown option '--colour'\nRun "costctl report --help"/),
    });
    // A command's own usage errors point to its help the same way.
    expect(costctl(['gate', 'trip'], { cwd })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^costctl: gate trip needs --reason: .*\nRun "costctl gate trip --help" for its usage, options and examples\.\n$/),
    });
    expect(costctl(['report', '--json', '--csv'], { cwd })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^costctl: option '--json' cannot be used with option '--csv'\n/),
    });
    expect(costctl(['report', '--chart', 'week'], { cwd })).toMatchObject({ code: 2, stderr: expect.stringMatching(/Allowed choices are hour, day, month/) });
    expect(costctl(['price'], { cwd })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^costctl: missing required argument 'model'\n/) });
    expect(costctl(['status', 'now'], { cwd })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^costctl: too many arguments for 'status'/) });
  });

  it('warns of a misspelt COSTCTL_ variable with the name meant, and runs', () => {
    const result = costctl(['status', '--json'], { cwd: workdir(), env: { COSTCTL_DAILY_LIMT_USD: '1' } });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('warning: costctl ignores COSTCTL_DAILY_LIMT_USD: no costctl setting has that name; did you mean COSTCTL_DAILY_LIMIT_USD?\n');
    expect(JSON.parse(result.stdout)).toMatchObject({ rules: [] });
    // The CLI's own variables are known: no warning for them.
    expect(
      costctl(['report', '--json'], { cwd: workdir(), env: { COSTCTL_OPENAI_ADMIN_URL: 'http://127.0.0.1:9/v1', COSTCTL_DAILY_LIMIT_USD: '1' } }).stderr,
    ).not.toMatch(/warning/);
  });

  it('documents in docs/cli.md every command and every option its help lists', () => {
    const docs = readFileSync(join(repoRoot, 'docs/cli.md'), 'utf8');
    for (const path of everyCommand()) {
      const heading = new RegExp(`^### \`costctl ${path.join(' ')}(?: [^\`]*)?\`.*$`, 'm');
      const at = docs.search(heading);
      expect(at, `docs/cli.md has no "### \`costctl ${path.join(' ')} …\`" section`).toBeGreaterThanOrEqual(0);
      const section = docs.slice(at).split(/\n#{2,3} /)[0]!;
      for (const option of optionsIn(costctl(['help', ...path], { cwd }).stdout)) {
        expect(section, `docs/cli.md, costctl ${path.join(' ')}: ${option} is not described`).toContain(`\`${option}`);
      }
    }
  });
});
