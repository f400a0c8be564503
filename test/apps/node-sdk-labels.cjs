// The CommonJS twin of node-sdk-labels.mjs: the app's NodeSDK registers its
// context manager through the CommonJS build of @opentelemetry/api.
const { context, diag, DiagLogLevel, propagation } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { NodeSDK } = require('@opentelemetry/sdk-node');
const OpenAI = require('openai');

const complaints = [];
const heard = (message) => complaints.push(String(message).split('\n')[0]);
diag.setLogger({ error: heard, warn: heard, info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);

class AppContextManager extends AsyncLocalStorageContextManager {
  entered = 0;
  with(...args) {
    this.entered += 1;
    return super.with(...args);
  }
}
const manager = new AppContextManager();
const sdk = new NodeSDK({ contextManager: manager, instrumentations: [], spanProcessors: [], metricReaders: [] });
sdk.start();

const openai = new OpenAI({ apiKey: 'sk-test-key', baseURL: `${process.env.FAKE_PROVIDER_URL}/openai/v1`, maxRetries: 0 });
const ask = () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] });
const asTenant = (tenant) => context.with(propagation.setBaggage(context.active(), propagation.createBaggage({ tenant: { value: tenant } })), ask);

(async () => {
  await asTenant('acme');
  await asTenant('globex');
  console.log(JSON.stringify({ complaints, appManagerEntered: manager.entered }));
  console.log(JSON.stringify({ done: true }));
  await sdk.shutdown();
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
})();
