import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from './anthropic/adapter.js';
import { openaiAdapter } from './openai/adapter.js';
import { adapterByName, adapterForHost, listAdapters, providerNames } from './registry.js';

describe('registry', () => {
  it('lists the adapters and their names', () => {
    expect(listAdapters()).toEqual([openaiAdapter, anthropicAdapter]);
    expect(providerNames).toEqual(['openai', 'anthropic']);
  });

  it.each([
    ['api.openai.com', openaiAdapter],
    ['api.anthropic.com', anthropicAdapter],
    ['API.OpenAI.com', openaiAdapter],
    ['api.openai.com:443', openaiAdapter],
    ['api.anthropic.com.', anthropicAdapter],
  ])('finds the adapter for %s', (host, adapter) => {
    expect(adapterForHost(host)).toBe(adapter);
  });

  it.each(['openai.com', 'api.openai.com.evil.example', 'example.com', '', 'localhost:8080'])('finds none for %j', (host) => {
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
