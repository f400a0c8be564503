import { describe, expect, it } from 'vitest';
import { responseModel } from './models.js';
import { errorStatus, parseScenario, scenarioInPath, splitModel, withScenario } from './scenario.js';

describe('scenarios', () => {
  it('round-trips through the model name', () => {
    expect(withScenario('gpt-4o-mini', 'cut')).toBe('gpt-4o-mini+cut');
    expect(withScenario('gpt-4o-mini', 'normal')).toBe('gpt-4o-mini');
    expect(splitModel('claude-sonnet-4-5+error-529')).toEqual({ model: 'claude-sonnet-4-5', scenario: 'error-529' });
    expect(splitModel('ft:gpt-4o-mini:org::abc')).toEqual({ model: 'ft:gpt-4o-mini:org::abc', scenario: undefined });
  });

  it('is found in a /scenario/<name>/ path segment', () => {
    expect(scenarioInPath('/scenario/cut-after-usage/v1/chat/completions')).toBe('cut-after-usage');
    expect(scenarioInPath('/v1/chat/completions')).toBeUndefined();
  });

  it('accepts the named scenarios and error-<400..599> only', () => {
    for (const name of ['normal', 'cut', 'cut-mid-event', 'cut-after-usage', 'stream-error', 'error', 'error-429', 'error-599']) {
      expect(parseScenario(name)).toBe(name);
    }
    for (const name of ['error-200', 'error-600', 'error-42', 'slow', '']) expect(parseScenario(name)).toBeUndefined();
  });

  it('maps error scenarios to their status', () => {
    expect(errorStatus('error')).toBe(500);
    expect(errorStatus('stream-error')).toBe(500);
    expect(errorStatus('error-429')).toBe(429);
    expect(errorStatus('cut')).toBeUndefined();
  });
});

describe('responseModel', () => {
  it('reports the dated snapshot of an OpenAI alias, without the scenario', () => {
    expect(responseModel('openai.chat', 'gpt-4o-mini+cut')).toBe('gpt-4o-mini-2024-07-18');
    expect(responseModel('openai.responses', 'gpt-4.1')).toBe('gpt-4.1-2025-04-14');
  });

  it('echoes embeddings, Anthropic and unknown models as asked', () => {
    expect(responseModel('openai.embeddings', 'text-embedding-3-small')).toBe('text-embedding-3-small');
    expect(responseModel('anthropic.messages', 'claude-sonnet-4-5+error')).toBe('claude-sonnet-4-5');
    expect(responseModel('openai.chat', 'my-own-model')).toBe('my-own-model');
    expect(responseModel('openai.chat', 'toString')).toBe('toString');
  });
});
