import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_ROLES, type UserRole } from '../db/schema/index.ts';
import { buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
const cookies = {} as Record<UserRole, string>;

beforeAll(async () => {
  platform = await startTestPlatform();
  for (const role of USER_ROLES) {
    const user = await buildUser(platform.services.db, { role });
    cookies[role] = await login(platform.url, user.username, TEST_PASSWORD);
  }
});
afterAll(() => platform.close());

/** Every route express really has, read from its router, not from our own table. */
function expressRoutes(app: Express): { method: string; path: string }[] {
  const stack = (app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router.stack;
  return stack
    .filter((layer) => layer.route)
    .flatMap((layer) =>
      Object.keys(layer.route!.methods)
        .filter((m) => m !== '_all')
        .map((method) => ({ method, path: layer.route!.path })),
    );
}

const samplePath = (path: string) => path.replace(/:[a-zA-Z]+/g, '1');

describe('authentication and roles on every route', () => {
  it('every express route was registered with a declared access', () => {
    const declared = new Set(platform.routeTable.map((route) => `${route.method} ${route.path}`));
    const actual = expressRoutes(platform.httpApp!);
    expect(actual.length).toBeGreaterThan(5);
    expect(actual.filter((route) => !declared.has(`${route.method} ${route.path}`))).toEqual([]);
  });

  it('public routes are few and each says why', () => {
    const publicRoutes = platform.routeTable.filter((route) => 'public' in route.access);
    expect(publicRoutes.map((route) => `${route.method.toUpperCase()} ${route.path}`).sort()).toEqual([
      'GET /',
      'GET /healthz',
      'GET /readyz',
      'GET /simulator',
      'GET /simulator/api/channels',
      'GET /webhooks/:channelId',
      'POST /api/auth/login',
      'POST /simulator/api/phones',
      'POST /webhooks/:channelId',
    ]);
    for (const route of publicRoutes) expect((route.access as { public: string }).public.length).toBeGreaterThan(10);
  });

  it('refuses every protected route without a session, with an expired-looking cookie, and to roles it does not allow', async () => {
    const protectedRoutes = platform.routeTable.filter((route) => 'roles' in route.access);
    expect(protectedRoutes.length).toBeGreaterThan(3);
    for (const route of protectedRoutes) {
      const url = `${platform.url}${samplePath(route.path)}`;
      const init = { method: route.method.toUpperCase(), headers: { 'content-type': 'application/json' }, body: route.method === 'get' ? undefined : '{}' };
      for (const cookie of [undefined, 'omnichat_session=forged-token']) {
        const response = await fetch(url, { ...init, headers: { ...init.headers, ...(cookie ? { cookie } : {}) } });
        expect(response.status, `${route.method} ${route.path} with ${cookie ?? 'no cookie'}`).toBe(401);
        expect((await response.json()).error.code).toBe('unauthorized');
      }
      const roles = (route.access as { roles: readonly UserRole[] }).roles;
      for (const role of USER_ROLES.filter((candidate) => !roles.includes(candidate))) {
        const response = await fetch(url, { ...init, headers: { ...init.headers, cookie: cookies[role] } });
        expect(response.status, `${route.method} ${route.path} as ${role}`).toBe(403);
      }
      // Calling a logout as an allowed role would end a session the next routes use (the sample path
      // `/1` names a real user); each has its own test.
      if (route.path.endsWith('/logout')) continue;
      for (const role of roles) {
        const response = await fetch(url, { ...init, headers: { ...init.headers, cookie: cookies[role] } });
        expect([401, 403], `${route.method} ${route.path} as allowed ${role}`).not.toContain(response.status);
      }
    }
  });

  it('refuses every API-key route without a key, with an unknown or revoked key, and with a console session instead', async () => {
    const apiKeyRoutes = platform.routeTable.filter((route) => 'apiKey' in route.access);
    expect(apiKeyRoutes.map((route) => `${route.method.toUpperCase()} ${route.path}`).sort()).toEqual([
      'GET /Integra/resources/SMS/SendSMS',
      'GET /Integra/resources/SMS/SendSMS/:fields',
      'GET /api/v1/messages/:id',
      'POST /Integra/resources/SMS/SendSMS',
      'POST /api/v1/messages',
    ]);
    const createKey = async () => {
      const response = await fetch(`${platform.url}/api/api-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: cookies.admin },
        body: JSON.stringify({ name: 'route-auth', campaignIds: [], dialerId: null, securityGroupId: null }),
      });
      expect(response.status).toBe(201);
      return (await response.json()) as { apiKey: { id: number }; key: string };
    };
    const valid = await createKey();
    const revoked = await createKey();
    expect((await fetch(`${platform.url}/api/api-keys/${revoked.apiKey.id}/revoke`, { method: 'POST', headers: { cookie: cookies.admin } })).status).toBe(200);
    for (const route of apiKeyRoutes) {
      expect((route.access as { apiKey: string }).apiKey.length, `${route.path} says what the key is for`).toBeGreaterThan(10);
      const url = `${platform.url}${samplePath(route.path)}`;
      const init = { method: route.method.toUpperCase(), body: route.method === 'get' ? undefined : '{}' };
      const attempts: [string, Record<string, string>][] = [
        ['no key', {}],
        ['an unknown key', { 'x-api-key': 'omk_not-a-key' }],
        ['a revoked key', { 'x-api-key': revoked.key }],
        ['a revoked Bearer key', { authorization: `Bearer ${revoked.key}` }],
        ['an admin session', { cookie: cookies.admin }],
      ];
      for (const [what, headers] of attempts) {
        const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...headers } });
        expect(response.status, `${route.method} ${route.path} with ${what}`).toBe(401);
        expect(await response.text(), `${route.method} ${route.path} with ${what}`).toMatch(/API key/);
      }
      const accepted = await fetch(url, { ...init, headers: { 'content-type': 'application/json', 'x-api-key': valid.key } });
      expect([401, 403], `${route.method} ${route.path} with a valid key`).not.toContain(accepted.status);
    }
  });

  it('refuses a console socket without a valid session', async () => {
    const { connectClient } = await import('./harness/test-platform.ts');
    await expect(connectClient(platform.url)).rejects.toThrow('unauthorized');
    await expect(connectClient(platform.url, { cookie: 'omnichat_session=forged-token' })).rejects.toThrow('unauthorized');
    const socket = await connectClient(platform.url, { cookie: cookies.agent });
    socket.close();
  });

  it('logout ends the session for HTTP and sockets', async () => {
    const user = await buildUser(platform.services.db, { role: 'agent' });
    const cookie = await login(platform.url, user.username, TEST_PASSWORD);
    expect((await fetch(`${platform.url}/api/me`, { headers: { cookie } })).status).toBe(200);
    const { connectClient } = await import('./harness/test-platform.ts');
    const socket = await connectClient(platform.url, { cookie });
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    expect((await fetch(`${platform.url}/api/auth/logout`, { method: 'POST', headers: { cookie } })).status).toBe(204);
    expect((await fetch(`${platform.url}/api/me`, { headers: { cookie } })).status).toBe(401);
    await disconnected;
    await expect(connectClient(platform.url, { cookie })).rejects.toThrow('unauthorized');
  });

  it('answers a wrong password like an unknown user, and sets an httpOnly SameSite cookie on success', async () => {
    const user = await buildUser(platform.services.db, { role: 'agent' });
    for (const body of [
      { username: user.username, password: 'wrong' },
      { username: 'nobody-here', password: 'wrong' },
    ]) {
      const response = await fetch(`${platform.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: 'invalid_credentials', message: 'Wrong username or password' } });
    }
    const ok = await fetch(`${platform.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user.username, password: TEST_PASSWORD }),
    });
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(JSON.stringify(await ok.json())).not.toMatch(/password/i);
  });
});
