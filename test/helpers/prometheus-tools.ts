import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './run-app.js';

/**
 * The directory of the `prometheus` and `promtool` binaries, from
 * scripts/ensure-prometheus.sh: from PATH, or installed from Debian's
 * package. Throws when they can be neither found nor installed, so a test
 * that needs them fails instead of skipping.
 */
export function ensurePrometheus(): string {
  return execFileSync('bash', [join(repoRoot, 'scripts/ensure-prometheus.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface ToolRun {
  status: number | null;
  output: string;
}

/** Runs `promtool args…` from `binDir` in `cwd` (the repository by default), stdout and stderr together. */
export function promtool(binDir: string, args: string[], options: { cwd?: string; input?: string } = {}): ToolRun {
  const run = spawnSync(join(binDir, 'promtool'), args, { cwd: options.cwd ?? repoRoot, input: options.input, encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

export interface PromqlNames {
  metrics: Set<string>;
  labels: Set<string>;
}

const GROUPING = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;

/**
 * The costctl and gen_ai metric names and the label names a PromQL
 * expression uses, read crudely: string literals are dropped; labels are the
 * names before a matcher inside `{…}` and the names in `by (…)`, `without (…)`,
 * `on (…)`, `ignoring (…)`, `group_left (…)`, `group_right (…)`; metrics are
 * the `costctl_…` and `gen_ai_…` identifiers left once those are removed.
 */
export function promqlNames(expr: string, into: PromqlNames = { metrics: new Set(), labels: new Set() }): PromqlNames {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  for (const [, matchers] of code.matchAll(/\{([^}]*)\}/g)) {
    for (const [, label] of matchers!.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) if (label !== '__name__') into.labels.add(label!);
  }
  for (const [, list] of code.matchAll(GROUPING)) {
    for (const label of list!.split(',').map((name) => name.trim())) if (label !== '') into.labels.add(label);
  }
  const bare = code.replace(/\{[^}]*\}/g, '').replace(GROUPING, '');
  for (const [name] of bare.matchAll(/(?<![\w:])(?:costctl_\w+|gen_ai_\w+)/g)) into.metrics.add(name);
  return into;
}

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string; annotations?: Record<string, string> }[] }[];
}

/** Every metric and label a Prometheus rules file (its text) reads, including `$labels.x` in its annotations. */
export function rulesFileNames(text: string): PromqlNames {
  const names: PromqlNames = { metrics: new Set(), labels: new Set() };
  for (const group of (parse(text) as RuleFile).groups) {
    for (const rule of group.rules) {
      promqlNames(rule.expr, names);
      for (const annotation of Object.values(rule.annotations ?? {})) {
        for (const [, label] of annotation.matchAll(/\$labels\.(\w+)/g)) names.labels.add(label!);
      }
    }
  }
  return names;
}
