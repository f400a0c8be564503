import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ResponseFacts } from '../types.js';
import { ResponsesStreamReader } from './responses-stream.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

function readStream(text: string): ResponseFacts {
  const reader = new ResponsesStreamReader();
  reader.push(new TextEncoder().encode(text));
  return reader.finish();
}

describe('ResponsesStreamReader', () => {
  it('reads usage from response.completed', () => {
    expect(readStream(fixture('responses-stream.sse'))).toEqual({
      model: 'gpt-4.1-mini-2025-04-14',
      responseId: 'resp_68a1f0c2e5a88190b0e6f3c1d2a4b5c60d1e2f3a4b5c6d7e',
      usage: { input: 2318, output: 6, cacheRead: 2176, cacheWrite: 0, reasoning: 0 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 4,
      serviceTier: 'default',
    });
  });

  it('reads usage from response.incomplete', () => {
    expect(readStream(fixture('responses-stream-incomplete.sse'))).toEqual({
      model: 'o4-mini-2025-04-16',
      responseId: 'resp_68a1f5d09c2c8193b7e4a1f2c3d4e5f60a1b2c3d4e5f6a7b',
      usage: { input: 41, output: 64, cacheRead: 0, cacheWrite: 0, reasoning: 64 },
      usageComplete: true,
      providerCostUsd: undefined,
      outputTokenEstimate: 0,
      serviceTier: 'default',
    });
  });

  it('estimates output when cut before response.completed', () => {
    const text = fixture('responses-stream.sse');
    const cut = text.slice(0, text.indexOf('event: response.output_text.done'));
    expect(readStream(cut)).toEqual({
      model: 'gpt-4.1-mini-2025-04-14',
      responseId: 'resp_68a1f0c2e5a88190b0e6f3c1d2a4b5c60d1e2f3a4b5c6d7e',
      usage: undefined,
      usageComplete: false,
      providerCostUsd: undefined,
      outputTokenEstimate: 4,
      // The tier asked for, until the final event says which one served the call.
      serviceTier: 'auto',
    });
  });

  it('reads events without `event:` lines by their data type', () => {
    const text = fixture('responses-stream.sse').replace(/^event: .*\n/gm, '');
    expect(readStream(text)).toEqual(readStream(fixture('responses-stream.sse')));
  });

  it('reads response.failed, which carries no usage', () => {
    const text = [
      'event: response.created',
      'data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"gpt-4o-2024-08-06","output":[],"usage":null}}',
      '',
      'event: response.failed',
      'data: {"type":"response.failed","sequence_number":1,"response":{"id":"resp_1","object":"response","status":"failed","error":{"code":"server_error","message":"The model failed to generate a response."},"model":"gpt-4o-2024-08-06","output":[],"usage":null}}',
      '',
      '',
    ].join('\n');
    expect(readStream(text)).toMatchObject({ model: 'gpt-4o-2024-08-06', responseId: 'resp_1', usage: undefined, usageComplete: false });
  });

  it('ignores an error event', () => {
    const text = 'event: error\ndata: {"type":"error","code":"rate_limit_exceeded","message":"Rate limit reached","param":null,"sequence_number":1}\n\n';
    expect(readStream(text)).toMatchObject({ usage: undefined, usageComplete: false, outputTokenEstimate: 0 });
  });

  it('counts only *.delta events, not the .done events repeating the text', () => {
    const text = fixture('responses-stream.sse');
    const withoutDone = text.replace(/event: response\.(output_text|content_part|output_item)\.done\ndata: .*\n\n/g, '');
    expect(readStream(withoutDone).outputTokenEstimate).toBe(readStream(text).outputTokenEstimate);
  });
});
