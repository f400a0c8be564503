import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../model/errors.js';
import { loadConfig } from './load.js';

function load(file: string, text: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'costctl-meters-'));
  writeFileSync(join(cwd, file), text);
  return loadConfig({ env: {}, cwd });
}

function issues(meters: unknown): string[] {
  try {
    load('costctl.config.json', JSON.stringify({ meters }));
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.key}: ${issue.expected}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('meters in the config file', () => {
  it('loads per-request and per-unit meters from YAML', () => {
    const config = load(
      'costctl.config.yaml',
      [
        'meters:',
        '  - { name: serpapi, host: serpapi.com, path: /search*, method: GET, operation: search, price: { perRequest: 0.01 } }',
        '  - name: speechco',
        '    host: "*.speech.example"',
        '    price: { perUnit: 0.000016, unit: { header: x-audio-seconds, name: audio_seconds }, maxUnits: 3600 }',
      ].join('\n'),
    );
    expect(config.meters).toEqual([
      { name: 'serpapi', host: 'serpapi.com', path: '/search*', method: 'GET', operation: 'search', price: { perRequest: 0.01 } },
      { name: 'speechco', host: '*.speech.example', price: { perUnit: 0.000016, unit: { header: 'x-audio-seconds', name: 'audio_seconds' }, maxUnits: 3600 } },
    ]);
  });

  it('defaults to no meters', () => {
    expect(loadConfig({ env: {}, cwd: mkdtempSync(join(tmpdir(), 'costctl-meters-')) }).meters).toEqual([]);
  });

  it('names the key and what is allowed for a price with neither perRequest nor perUnit', () => {
    expect(issues([{ name: 'serpapi', host: 'serpapi.com', price: {} }])).toEqual([
      expect.stringMatching(/meters\.0\.price: perRequest, perUnit with unit, or both/),
    ]);
  });

  it('asks for a unit source with perUnit, and exactly one of header or json', () => {
    expect(issues([{ name: 'x', host: 'x.example', price: { perUnit: 0.1 } }])).toEqual([
      expect.stringMatching(/meters\.0\.price\.unit: a unit source with perUnit/),
    ]);
    expect(issues([{ name: 'x', host: 'x.example', price: { perUnit: 0.1, unit: { header: 'x-n', json: 'n' } } }])).toEqual([
      expect.stringMatching(/meters\.0\.price\.unit: exactly one of header or json/),
    ]);
    expect(issues([{ name: 'x', host: 'x.example', price: { perRequest: 0.1, maxUnits: 10 } }])).toEqual([
      expect.stringMatching(/meters\.0\.price\.perUnit: a USD price per unit/),
    ]);
  });

  it('rejects a bad host, path, method, name or an unknown key, one message each', () => {
    const found = issues([{ name: 'Bad Name', host: 'https://serpapi.com', path: 'search', method: 'FETCH', price: { perRequest: -1 }, extra: true }]);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/meters\.0\.name: .*a meter name/),
        expect.stringMatching(/meters\.0\.host: .*a lower-case host name/),
        expect.stringMatching(/meters\.0\.path: .*a path glob starting with \//),
        expect.stringMatching(/meters\.0\.method: /),
        expect.stringMatching(/meters\.0\.price\.perRequest: /),
        expect.stringMatching(/meters\.0\.extra: a key the file knows \(here: name, host, path, method, operation, model, price\)/),
      ]),
    );
    expect(found).toHaveLength(6);
  });
});
