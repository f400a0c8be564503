// One module imported into a bare app and left unused: BENCH_IMPORT names it
// (bench/run.mjs sets it). With costctl's package, nothing is patched and no
// reader, exporter or ledger runs; only its modules are loaded (the OTel
// metrics SDK and exporters, zod, the price data). `sse-imported` and
// `sse-openai-imported` show what loading modules alone costs a stream read
// as raw bytes by an app that loads nothing else. The worker reports what was
// imported (globalThis.benchImported), so a run without it cannot pass.
const specifier = process.env.BENCH_IMPORT;
if (!specifier) throw new Error('BENCH_IMPORT is not set: run the bench through bench/run.mjs');

const loaded = await import(specifier);
globalThis.benchImported = () => (Object.keys(loaded).length > 0 ? specifier : undefined);
