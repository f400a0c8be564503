import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JsonBodyCollector } from '../json-body.js';
import { JsonResponseReader } from '../json-reader.js';
import { noResponseFacts } from '../response-facts.js';
import type { ResponseFacts } from '../types.js';
import { messagesJsonShape } from './json-response.js';

function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
}

function readJson(body: Uint8Array | string, collector?: JsonBodyCollector): ResponseFacts {
  const reader = new JsonResponseReader(messagesJsonShape, collector);
  reader.push(typeof body === 'string' ? new TextEncoder().encode(body) : body);
  return reader.finish();
}

describe('Anthropic JSON responses', () => {
  it('reads a message with cache reads and writes', () => {
    expect(readJson(fixture('message.json'))).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      responseId: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      usage: { input: 22030, output: 27, cacheRead: 20480, cacheWrite: 1536, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      serviceTier: 'standard',
      outputTokenEstimate: 0,
    });
  });

  it('reads usage from the tail of a body too large to keep', () => {
    expect(readJson(fixture('message.json'), new JsonBodyCollector(64, 4096))).toMatchObject({
      usage: { input: 22030, output: 27, cacheRead: 20480, cacheWrite: 1536, reasoning: 0 },
      usageComplete: true,
    });
  });

  it('counts thinking and text blocks in the estimate of a body without usage', () => {
    const body = JSON.stringify({
      id: 'msg_01',
      type: 'message',
      model: 'claude-opus-4-1-20250805',
      content: [
        { type: 'thinking', thinking: 'abcdefgh', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds4ztS9wUC5KDOiRNMmoAbZ8bsw==' },
        { type: 'text', text: 'abcd' },
      ],
    });
    expect(readJson(body).outputTokenEstimate).toBe(3);
  });

  it('gives no usage for an error body', () => {
    expect(readJson(fixture('error.json'))).toEqual(noResponseFacts());
  });

  it.each(['', '{"usage":', 'null', '\u00ff\u00fe'])('reads nothing from %j', (body) => {
    expect(readJson(body)).toEqual(noResponseFacts());
  });
});
