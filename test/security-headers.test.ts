import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let plain: TestPlatform;
let https: TestPlatform;

beforeAll(async () => {
  plain = await startTestPlatform({ ROLES: 'http' });
  https = await startTestPlatform({ ROLES: 'http', PUBLIC_URL: 'https://chat.example.com' });
});
afterAll(async () => {
  await plain?.close();
  await https?.close();
});

/** Pages, the API (answered and refused), health and a 404: every kind of answer gets the headers. */
const PATHS = ['/', '/simulator', '/api/me', '/api/nothing-here', '/healthz'];

const directives = (policy: string | null) =>
  Object.fromEntries(
    (policy ?? '')
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values.join(' ')]),
  );

describe('security headers', () => {
  it('sends a strict Content-Security-Policy and the other helmet headers on pages and the API, and no X-Powered-By', async () => {
    for (const path of PATHS) {
      const response = await fetch(`${plain.url}${path}`);
      const policy = directives(response.headers.get('content-security-policy'));
      expect(policy, path).toMatchObject({
        'default-src': "'self'",
        'script-src': "'self'",
        'script-src-attr': "'none'",
        'style-src': "'self'",
        'img-src': "'self' data:",
        'connect-src': "'self'",
        'object-src': "'none'",
        'base-uri': "'none'",
        'frame-ancestors': "'none'",
      });
      // No way around it: nothing inline, nothing evaluated, no other host.
      expect(response.headers.get('content-security-policy'), path).not.toMatch(/unsafe|https:|\*/);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('referrer-policy'), path).toBe('same-origin');
      expect(response.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(response.headers.has('x-powered-by'), path).toBe(false);
      expect(response.headers.has('strict-transport-security'), path).toBe(false);
      expect(policy, path).not.toHaveProperty('upgrade-insecure-requests');
    }
  });

  it('adds HSTS and upgrade-insecure-requests only under an https PUBLIC_URL', async () => {
    for (const path of PATHS) {
      const response = await fetch(`${https.url}${path}`);
      expect(response.headers.get('strict-transport-security'), path).toBe('max-age=31536000; includeSubDomains');
      expect(directives(response.headers.get('content-security-policy')), path).toHaveProperty('upgrade-insecure-requests');
    }
  });
});
