import { sql } from 'drizzle-orm';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

const PUBLIC_URL = 'https://chat.example.com';
const EVIL = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
let platform: TestPlatform;
let cookie: string;

beforeAll(async () => {
  // HTTP only: no workers or sessions write in the background, so the fingerprint below holds still.
  platform = await startTestPlatform({ PUBLIC_URL, ROLES: 'http' });
  const admin = await buildUser(platform.services.db, { role: 'admin' });
  cookie = await login(platform.url, admin.username, TEST_PASSWORD);
});
afterAll(() => platform.close());

const samplePath = (path: string) => path.replace(/:[a-zA-Z]+/g, '1');

/** Every table of the platform and the job queue's jobs, fingerprinted, to show a refused request changed nothing. */
async function fingerprint(): Promise<Record<string, string>> {
  const tables = (await platform.services.db.execute(sql`
    select format('%I.%I', table_schema, table_name) as name from information_schema.tables
     where (table_schema = 'public' or (table_schema, table_name) = ('pgboss', 'job')) and table_type = 'BASE TABLE' order by 1`)) as unknown as {
    name: string;
  }[];
  const prints: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = (await platform.services.db.execute(
      sql.raw(`select count(*)::text || ':' || coalesce(md5(string_agg(t::text, ',' order by t::text)), '') as print from ${name} t`),
    )) as unknown as { print: string }[];
    prints[name] = row!.print;
  }
  return prints;
}

/** A DNCR upload as text/plain, the way a page of another site can send one without a preflight. */
const uploadDncr = (number: string, headers: Record<string, string>) =>
  fetch(`${platform.url}/api/dncr/imports?fileName=DNCR01012026.csv`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'text/plain', ...headers },
    body: `${number};\n`,
  });

const isListed = async (number: string) =>
  ((await platform.services.db.execute(sql`select 1 from dncr where number = ${`+598${number}`}`)) as unknown as unknown[]).length > 0;

describe('cross-site requests on the session cookie', () => {
  it('refuses every state-changing cookie route from another site, as a form post and as text/plain, and changes nothing', async () => {
    const cookieRoutes = platform.routeTable.filter((route) => 'roles' in route.access && route.method !== 'get');
    expect(cookieRoutes.length).toBeGreaterThan(20);
    const before = await fingerprint();
    for (const route of cookieRoutes) {
      const bodies = [
        ['a form post', 'application/x-www-form-urlencoded', 'campaignIds=1&action=add'],
        ['a text/plain upload', 'text/plain', 'campaign;destiny;message;priority\ncampsms;098344384;Hey World!;9999;\n'],
      ] as const;
      for (const [what, type, body] of bodies) {
        const response = await fetch(`${platform.url}${samplePath(route.path)}`, {
          method: route.method.toUpperCase(),
          headers: { cookie, 'content-type': type, ...EVIL },
          body,
        });
        expect(response.status, `${route.method} ${route.path} as ${what}`).toBe(403);
        expect((await response.json()).error.code).toBe('cross_site');
      }
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('refuses when any header says another origin: Origin alone, Sec-Fetch-Site alone, a sibling subdomain, an opaque origin', async () => {
    const own = new URL(platform.url).origin;
    const foreign: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'https://other.example.com', 'sec-fetch-site': 'same-site' },
      { origin: own, 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
      { origin: PUBLIC_URL.replace('https:', 'http:') },
    ];
    for (const headers of foreign) {
      const response = await uploadDncr('23000001', headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
    }
    expect(await isListed('23000001')).toBe(false);
  });

  it("lets the platform's own pages, PUBLIC_URL's origin, typed-in requests and clients that send neither header through", async () => {
    const own = new URL(platform.url).origin;
    const allowed: Record<string, string>[] = [
      { origin: own, 'sec-fetch-site': 'same-origin' },
      { origin: PUBLIC_URL, 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'none' },
      {},
    ];
    for (const [i, headers] of allowed.entries()) {
      const number = `2300010${i}`;
      const response = await uploadDncr(number, headers);
      expect(response.status, JSON.stringify(headers)).toBe(201);
      expect(await isListed(number)).toBe(true);
    }
  });

  it('leaves reads and requests without the session cookie to their own checks', async () => {
    const read = await fetch(`${platform.url}/api/me`, { headers: { cookie, ...EVIL } });
    expect(read.status).toBe(200);
    // A webhook carries no session cookie: it is not refused as cross-site (its own check answers).
    const webhook = await fetch(`${platform.url}/webhooks/999999`, { method: 'POST', headers: { 'content-type': 'text/plain', ...EVIL }, body: 'x' });
    expect(webhook.status).not.toBe(403);
    const login = await fetch(`${platform.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'text/plain', ...EVIL }, body: 'x' });
    expect(login.status).toBe(400);
  });

  it('refuses a console socket opened from another origin', async () => {
    const open = (origin: string) => {
      const socket = connectSocket(platform.url, { transports: ['websocket'], extraHeaders: { cookie, origin }, reconnection: false, forceNew: true });
      return new Promise<string>((resolve) => {
        socket.once('ready', () => resolve('connected'));
        socket.once('connect_error', (error) => resolve(`refused: ${error.message}`));
      }).finally(() => socket.close());
    };
    expect(await open('https://evil.example')).toMatch(/^refused/);
    expect(await open(new URL(platform.url).origin)).toBe('connected');
    expect(await open(PUBLIC_URL)).toBe('connected');
  });
});
