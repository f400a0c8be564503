import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from './anthropic/adapter.js';
import { bedrockAdapter } from './bedrock/adapter.js';
import { cohereAdapter } from './cohere/adapter.js';
import { compatibleAdapters } from './compatible-adapters.js';
import { geminiAdapter, vertexAdapter } from './google/adapter.js';
import { openaiAdapter } from './openai/adapter.js';
import { providerNames } from '../model/provider-names.js';
import { adapterByName, adapterForHost, listAdapters } from './registry.js';

describe('registry', () => {
  it('lists the adapters and their names', () => {
    expect(listAdapters()).toEqual([openaiAdapter, anthropicAdapter, cohereAdapter, ...compatibleAdapters, geminiAdapter, vertexAdapter, bedrockAdapter]);
    expect(providerNames).toEqual(listAdapters().map((adapter) => adapter.name));
  });

  it.each([
    ['api.openai.com', openaiAdapter],
    ['api.anthropic.com', anthropicAdapter],
    ['API.OpenAI.com', openaiAdapter],
    ['api.openai.com:443', openaiAdapter],
    ['api.anthropic.com.', anthropicAdapter],
    ['generativelanguage.googleapis.com', geminiAdapter],
    ['us-central1-aiplatform.googleapis.com', vertexAdapter],
    ['aiplatform.googleapis.com', vertexAdapter],
    ['aiplatform.eu.rep.googleapis.com', vertexAdapter],
    ['bedrock-runtime.eu-central-1.amazonaws.com', bedrockAdapter],
    ['BEDROCK-RUNTIME-FIPS.us-gov-west-1.amazonaws.com:443', bedrockAdapter],
  ])('finds the adapter for %s', (host, adapter) => {
    expect(adapterForHost(host)).toBe(adapter);
  });

  it.each([
    'openai.com',
    'api.openai.com.evil.example',
    'example.com',
    '',
    'localhost:8080',
    '-aiplatform.googleapis.com',
    'us.central1-aiplatform.googleapis.com',
    'bedrock-runtime.a.b.amazonaws.com',
    'bedrock.us-east-1.amazonaws.com',
  ])('finds none for %j', (host) => {
    expect(adapterForHost(host)).toBeUndefined();
  });

  it('finds adapters by provider name', () => {
    expect(adapterByName('openai')).toBe(openaiAdapter);
    expect(adapterByName('anthropic')).toBe(anthropicAdapter);
    expect(adapterByName('OpenAI')).toBeUndefined();
  });

  it('gives every adapter a catalog row per operation, for the README table', () => {
    for (const adapter of listAdapters()) {
      expect(adapter.catalog.length, adapter.name).toBeGreaterThan(0);
      for (const entry of adapter.catalog) expect(entry.endpoint).toMatch(/^(GET|POST) \//);
    }
  });

  it('has unique names and hosts, so a lookup is never ambiguous', () => {
    const names = listAdapters().map((adapter) => adapter.name);
    const hosts = listAdapters().flatMap((adapter) => adapter.hosts);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(hosts).size).toBe(hosts.length);
  });
});
