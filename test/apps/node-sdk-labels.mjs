// An app loaded with --import @costctl/otel/register and COSTCTL_LABELS that
// then starts its own NodeSDK with its own context manager, as a service
// with tracing does, and tags calls with OTel baggage. Prints what its
// diag logger heard and whether its own context manager carried the calls.
import { context, diag, DiagLogLevel, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { NodeSDK } from '@opentelemetry/sdk-node';
import OpenAI from 'openai';

const complaints = [];
const heard = (message) => complaints.push(String(message).split('\n')[0]);
diag.setLogger({ error: heard, warn: heard, info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);

/** The app's own manager, which counts the contexts it enters. */
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

await asTenant('acme');
await asTenant('globex');
console.log(JSON.stringify({ complaints, appManagerEntered: manager.entered }));
console.log(JSON.stringify({ done: true }));
await sdk.shutdown();
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
