// `npm run example redis-fleet`: a real Redis, the local fake provider, and
// four worker.mjs processes sharing one daily budget through Redis. Once
// every worker is blocked they are stopped, and the fleet's spend is read
// from Redis with the costctl CLI.
import { costctl, freshStateDir, round, say, startProvider, startRedis, startUnderCostctl, waitFor } from '../local.mjs';

const WORKERS = 4;
const LIMIT = 0.01;
const [provider, redis] = [await startProvider(), await startRedis()];
const env = {
  OPENAI_API_KEY: 'sk-fake',
  OPENAI_BASE_URL: `${provider.url}/v1`,
  // Calls to this address are OpenAI's: priced and budgeted as such (api.openai.com needs no such line).
  COSTCTL_ENDPOINTS: `openai=${provider.url}/v1`,
  COSTCTL_DAILY_LIMIT_USD: String(LIMIT),
  COSTCTL_STORE: 'redis',
  COSTCTL_REDIS_URL: redis.url,
  // The default (50 ms) suits a Redis on the network; here four processes, Redis and the provider share one machine.
  COSTCTL_REDIS_TIMEOUT_MS: '2000',
};
say(`Budget: COSTCTL_DAILY_LIMIT_USD=${LIMIT} for the whole fleet, kept in Redis (COSTCTL_STORE=redis)`);
say(`\n$ node --import @costctl/otel/register worker.mjs   # ${WORKERS} processes at once`);

const workers = await Promise.all(
  // Each process has its own state directory (its ledger): all they share is Redis.
  Array.from({ length: WORKERS }, (_, index) =>
    startUnderCostctl('redis-fleet', 'worker.mjs', { ...env, COSTCTL_STATE_DIR: freshStateDir() }, { prefix: `  [worker ${index + 1}] `, quiet: true }),
  ),
);
try {
  // A worker's last refusal by the budget rule (not by the gate, as while Redis is slow to answer) says how many calls it made.
  const refusal = (worker) => worker.lines.findLast((line) => line.includes('blocked by daily_usd'));
  await waitFor(
    () => workers.every(refusal),
    'every worker to be blocked',
    () => !workers.every((worker) => worker.running()),
    90_000,
  );
  say('\nEvery worker is blocked and waiting: stopping them.');
  await Promise.all(workers.map((worker) => worker.stop()));

  const status = JSON.parse(costctl(['status', '--json'], env, 'redis-fleet', { quiet: true }));
  const { spent, reserved, limit } = status.rules.find((rule) => rule.name === 'daily_usd');
  const made = workers.reduce((total, worker) => total + Number(/^(\d+) calls made/.exec(refusal(worker))[1]), 0);
  say(
    `\nThe fleet made ${made} calls (the provider received ${provider.requests.length}) and spent $${round(spent)} of its $${limit}` +
      ` (${reserved === 0 ? 'nothing' : `$${round(reserved)}`} still held): ${spent + reserved <= limit ? 'within' : 'PAST'} the limit.`,
  );
  costctl(['status'], env, 'redis-fleet');
  if (spent + reserved > limit) process.exitCode = 1;
} finally {
  await Promise.all([...workers.filter((worker) => worker.running()).map((worker) => worker.stop()), provider.close(), redis.stop()]);
}
