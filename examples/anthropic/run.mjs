// `npm run example anthropic`: app.mjs against the local fake provider, with
// the Anthropic budget of costctl.config.json, then what the costctl CLI
// says about it.
import { costctl, freshStateDir, runUnderCostctl, say, startProvider } from '../local.mjs';

const provider = await startProvider();
const env = {
  ANTHROPIC_API_KEY: 'sk-ant-fake',
  ANTHROPIC_BASE_URL: provider.url,
  // Calls to this address are Anthropic's: priced and budgeted as such (api.anthropic.com needs no such line).
  COSTCTL_ENDPOINTS: `anthropic=${provider.url}`,
  COSTCTL_STATE_DIR: freshStateDir(),
};
say('Budget: anthropic_daily, $0.002 a day for Anthropic calls (costctl.config.json)');

const { code } = await runUnderCostctl('anthropic', 'app.mjs', env);
say(`\nThe provider received ${provider.requests.length} calls; the blocked one never left the app.`);
costctl(['status'], env, 'anthropic');
costctl(['report', '--by', 'model'], env, 'anthropic');
await provider.close();
process.exitCode = code;
