// `npm run example openai-daily-budget`: app.mjs against the local fake
// provider with a daily budget a few calls wide, then what the costctl CLI
// says about it.
import { costctl, freshStateDir, runUnderCostctl, say, startProvider } from '../local.mjs';

const provider = await startProvider();
const env = {
  OPENAI_API_KEY: 'sk-fake',
  OPENAI_BASE_URL: `${provider.url}/v1`,
  // Calls to this address are OpenAI's: priced and budgeted as such (api.openai.com needs no such line).
  COSTCTL_ENDPOINTS: `openai=${provider.url}/v1`,
  COSTCTL_DAILY_LIMIT_USD: '0.001',
  COSTCTL_STATE_DIR: freshStateDir(),
};
say('Budget: COSTCTL_DAILY_LIMIT_USD=0.001 (a gpt-4o call capped at 24 output tokens costs about $0.00025)');

const { code } = await runUnderCostctl('openai-daily-budget', 'app.mjs', env);
say(`\nThe provider received ${provider.requests.length} calls; the blocked one never left the app.`);
costctl(['status'], env, 'openai-daily-budget');
costctl(['report'], env, 'openai-daily-budget');
await provider.close();
process.exitCode = code;
