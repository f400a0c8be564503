// What loading costctl adds to an app's heap: V8's used heap after full
// collections, in a bare process and in one started with costctl (as
// `--import @costctl/otel/register` starts it, exporter off), and what each
// of its large dependencies adds alone. Every full GC of the app marks this
// heap, so it is what costctl costs an app that allocates fast (the `sse`
// bench scenario, and `sse-ballast` beside it). Build first, then:
//   npm exec -- node bench/heap.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, repoRoot } from './processes.mjs';

const probe = fileURLToPath(new URL('./heap/probe.mjs', import.meta.url));
const PARTS = ['zod', 'yaml', 'price data', 'OTel metrics SDK', 'Prometheus exporter', 'OTLP exporter'];

/** Used heap in bytes of a fresh process that loaded `part` (with `env` set too); the median of three. */
export function usedHeap(part, env = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'costctl-heap-'));
  try {
    const runs = [0, 1, 2].map(() => {
      const out = execFileSync(process.execPath, ['--expose-gc', probe, part], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', COSTCTL_STATE_DIR: stateDir, OTEL_METRICS_EXPORTER: 'none', COSTCTL_PRICE_DATA_MAX_AGE_DAYS: '0', ...env },
      });
      return JSON.parse(out).usedHeap;
    });
    return runs.sort((a, b) => a - b)[1];
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** What costctl, started, adds to a bare process's heap, in bytes. */
export function costctlHeap() {
  return usedHeap('costctl') - usedHeap('bare');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bare = usedHeap('bare');
  const mb = (bytes) => `${(bytes / 1e6).toFixed(2).padStart(6)} MB`;
  console.log(`used heap after full collections, Node ${process.version} (median of 3 processes each)\n`);
  console.log(`${'bare process'.padEnd(40)} ${mb(bare)}`);
  const costctl = usedHeap('costctl');
  console.log(`${'costctl started (exporter off)'.padEnd(40)} ${mb(costctl)}  (+${mb(costctl - bare).trim()})`);
  // What a configuration loads on top: the metrics SDK and an exporter, zod to validate a config file.
  const configFile = join(mkdtempSync(join(tmpdir(), 'costctl-heap-config-')), 'costctl.config.json');
  writeFileSync(configFile, '{ "store": "file" }\n');
  const variants = [
    [
      '  with the Prometheus exporter',
      { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) },
    ],
    ['  with a JSON config file', { COSTCTL_CONFIG: configFile }],
  ];
  for (const [label, env] of variants) {
    const heap = usedHeap('costctl', env);
    console.log(`${label.padEnd(40)} ${mb(heap)}  (+${mb(heap - bare).trim()})`);
  }
  rmSync(dirname(configFile), { recursive: true, force: true });
  console.log('\nwhat each part adds alone (they overlap: the exporters include the SDK):');
  for (const part of PARTS) console.log(`  ${part.padEnd(38)} +${mb(usedHeap(part) - bare).trim()}`);
}
