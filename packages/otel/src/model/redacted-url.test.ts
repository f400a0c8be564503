import { describe, expect, it } from 'vitest';
import { withoutCredentials } from './redacted-url.js';

describe('withoutCredentials', () => {
  it('drops the user and password of a URL and keeps the rest', () => {
    expect(withoutCredentials('rediss://default:s3cret@cache.example:6380/2')).toBe('rediss://cache.example:6380/2');
    expect(withoutCredentials('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('says "the configured URL" rather than echo a value it cannot parse, which may hold a password', () => {
    expect(withoutCredentials('not a url :s3cret')).toBe('the configured URL');
  });
});
