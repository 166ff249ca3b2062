import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_ROLES, type UserRole } from '../db/schema/index.ts';
import { buildCampaign, buildDialer, buildSchedule, buildSimulatorChannel, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { openPhone, type Phone } from './harness/simulator-phone.ts';
import { api, collectLogs, login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

/**
 * Walks the route table (as the route-auth test does) and sends every route malformed input as
 * every role: wrong types, huge strings and numbers, negative and out-of-range ids, NUL and other
 * unicode, SQL-ish text, bodies of the wrong content type. Whatever a route makes of it, it must
 * answer a 4xx (or succeed): never a 500.
 *
 * Bodies are not hand-written per route: the fuzzer learns each route's schema from its own 400
 * answers (each names the field and what it expected), fills the fields until the request passes
 * validation, and then breaks one field at a time, so the values reach past validation into the
 * commands and the database.
 */

const ROLES = [...USER_ROLES];
let platform: TestPlatform;
const cookies = {} as Record<UserRole, string>;
const users = {} as Record<UserRole, { id: number; username: string }>;
let apiKey = '';
let phone: Phone;

/** The values a field gets, one at a time. */
const FIELD_VALUES: unknown[] = [
  null,
  true,
  -1,
  0,
  1.5,
  2147483648,
  // biome-ignore lint/correctness/noPrecisionLoss: deliberately 2^63, one past the largest bigint column value, to probe overflow
  9223372036854775808,
  // biome-ignore lint/correctness/noPrecisionLoss: deliberately -(2^53 + 1), past Number.MIN_SAFE_INTEGER, to probe unsafe integers
  -9007199254740993,
  1e308,
  '',
  ' ',
  'x'.repeat(70_000),
  'hello\u0000world',
  '\u0000',
  'Ünïcödé 😀 \u202e\u200b 中文 العربية',
  '\ud800',
  "' OR 1=1 --",
  '1; drop table users; --',
  '%s%n%x',
  '2147483648',
  '-1',
  '1e3',
  [],
  [2147483648],
  ['\u0000', "' OR 1=1"],
  {},
  { $gt: '' },
];

/** Whole bodies of the wrong shape. */
const WHOLE_BODIES: unknown[] = [null, [], 'text', 12, [{}], { a: { b: { c: { d: 'deep' } } } }, 'x'.repeat(200_000)];

/** Path parameters: out of range, negative, not numbers, NUL, padding, SQL. */
const PATH_VALUES = [
  '%FF',
  '%',
  '%E0%A4%A',
  '%ED%A0%80',
  '0',
  '-1',
  '2147483648',
  '9223372036854775808',
  '99999999999999999999',
  '1e3',
  '0x10',
  '%201',
  '1%20',
  '%00',
  '1%00',
  'abc',
  "'%20OR%201%3D1",
  '%F0%9F%98%80',
  '%E2%80%AE',
  'x'.repeat(3000),
];

/** Query fields the API's lists and searches read, each given hostile values. */
const QUERY_KEYS = ['q', 'scope', 'status', 'limit', 'beforeId', 'campaignId', 'fileName', 'number', 'state'];
const QUERY_VALUES = ['%00', 'hello%00world', '-1', '2147483648', '99999999999999999999', "'%20OR%201%3D1", '%F0%9F%98%80', 'x'.repeat(5000), '1e3', ''];

/** The route being fuzzed (routes are fuzzed one after the other). */
let currentRoute = '';
type Failure = { route: string; role: string; url: string; body: string; status: number };
const failures: Failure[] = [];
/** The server's log: a 500 is logged with its error, which the failure summary shows. */
const logs = collectLogs();

beforeAll(async () => {
  // No session channels: a channel the fuzzer manages to create must not start a WhatsApp or modem
  // session. The fuzzed logins must not lock this address out of the sessions the test opens again.
  platform = await startTestPlatform({ ROLES: 'http,workers', DEFAULT_COUNTRY: 'UY', LOG_LEVEL: 'error', LOGIN_MAX_FAILS_PER_ADDRESS: '1000000' }, undefined, {
    logs: logs.stream,
  });
  const db = platform.services.db;
  const channel = await buildSimulatorChannel(db);
  const schedule = await buildSchedule(db);
  for (const role of ROLES) {
    const user = await buildUser(db, { role });
    users[role] = user;
    cookies[role] = await login(platform.url, user.username, TEST_PASSWORD);
  }
  await buildCampaign(db, { channelIds: [channel.id], memberIds: [users.agent.id, users.supervisor.id], scheduleId: schedule.id });
  await buildDialer(db, channel.id);
  phone = await openPhone(platform.url, channel.id, '099123456');
  await phone.send('hello');
  const created = await api(platform.url, 'POST', '/api/api-keys', {
    cookie: cookies.admin,
    body: { name: 'fuzz', campaignIds: [], dialerId: null, securityGroupId: null },
  });
  apiKey = created.body.key;
}, 120_000);
afterAll(async () => {
  phone?.socket.close();
  await platform?.close();
});

type Caller = { name: string; headers: Record<string, string> };

async function send(caller: Caller, method: string, url: string, body: { raw: string; type: string; headers?: Record<string, string> } | undefined) {
  const response = await fetch(`${platform.url}${url}`, {
    method: method.toUpperCase(),
    headers: { ...caller.headers, ...(body ? { 'content-type': body.type, ...body.headers } : {}) },
    body: method === 'get' ? undefined : body?.raw,
  });
  const answer = await response.text();
  // A 503 is only for two commands on the same rows at once (`retry`): the database never goes away here.
  if (response.status >= 500 && !(response.status === 503 && answer.includes('"code":"retry"'))) {
    failures.push({ route: currentRoute, role: caller.name, url: url.slice(0, 160), body: (body?.raw ?? '').slice(0, 160), status: response.status });
  }
  return { status: response.status, answer };
}

const json = (value: unknown) => ({ raw: JSON.stringify(value), type: 'application/json' });

/** A plausible value for a field from what its 400 said it expected. */
function guess(message: string, current: unknown): unknown {
  const option = /expected one of "([^"]*)"/.exec(message) ?? /expected "([^"]*)"/.exec(message);
  if (option) return option[1];
  if (/expected string/.test(message)) return typeof current === 'string' ? `${current}1` : 'x1';
  if (/expected number|expected int/.test(message)) return 1;
  if (/expected boolean/.test(message)) return true;
  if (/expected array/.test(message)) return [];
  if (/expected object|expected record/.test(message)) return {};
  if (/Too small.*>=?(\d+)/.test(message)) return typeof current === 'string' ? 'x'.repeat(Number(/(\d+)/.exec(message)![1])) : current;
  if (current === undefined) return 1;
  return undefined;
}

function setAt(target: Record<string, unknown>, path: (string | number)[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(target);
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = typeof path[path.indexOf(key) + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  }
  node[path.at(-1)!] = value;
  return copy;
}

/** Learns a body that passes the route's validation (as far as its 400 answers tell). */
async function learnBody(caller: Caller, method: string, url: string): Promise<Record<string, unknown>> {
  let body: Record<string, unknown> = {};
  for (let round = 0; round < 8; round++) {
    const { status, answer } = await send(caller, method, url, json(body));
    if (status !== 400) break;
    const details = (JSON.parse(answer).error?.details ?? []) as { path?: string; message?: string }[];
    let changed = false;
    for (const detail of Array.isArray(details) ? details : []) {
      if (typeof detail.path !== 'string' || typeof detail.message !== 'string') continue;
      const path = detail.path === '' ? [] : detail.path.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key));
      if (!path.length) continue;
      const current = path.reduce<unknown>(
        (node, key) => (node && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined),
        body,
      );
      const value = guess(detail.message, current);
      if (value === undefined || JSON.stringify(value) === JSON.stringify(current)) continue;
      body = setAt(body, path, value);
      changed = true;
    }
    if (!changed) break;
  }
  return body;
}

function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) {
    return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]));
  }
  return path.length ? [path] : [];
}

const samplePath = (path: string, value = '1') => path.replace(/:[a-zA-Z]+/g, value);

function callersFor(access: object): Caller[] {
  // Every role, allowed or not: what runs before the role check (parsing, cleaning input) meets them all.
  if ('roles' in access) return [...ROLES.map((role) => ({ name: role, headers: { cookie: cookies[role] } })), { name: 'anonymous', headers: {} }];
  if ('apiKey' in access) return [{ name: 'api key', headers: { 'x-api-key': apiKey } }];
  // Public routes: anyone, and the simulator's phone (its webhook token gets past verification).
  return [
    { name: 'anonymous', headers: {} },
    { name: 'simulator phone', headers: { 'x-simulator-token': phone.phone.token } },
  ];
}

/** Sessions a fuzzed route ended (a logout, a user logged out by a supervisor) are opened again. */
async function keepSessions() {
  for (const role of ROLES) {
    const me = await fetch(`${platform.url}/api/me`, { headers: { cookie: cookies[role] } });
    if (me.status === 401) cookies[role] = await login(platform.url, users[role].username, TEST_PASSWORD);
  }
}

/** Runs the sends of one route a few at a time. */
async function inParallel(tasks: (() => Promise<unknown>)[], width = 6) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}

describe('fuzzing every route as every role', () => {
  it('never answers 500', async () => {
    const routes = platform.routeTable.filter(
      (route) =>
        route.path.startsWith('/api') || route.path.startsWith('/webhooks') || route.path.startsWith('/simulator/api') || route.path.startsWith('/Integra'),
    );
    expect(routes.length).toBeGreaterThan(50);
    let requests = 0;
    for (const route of routes) {
      currentRoute = `${route.method.toUpperCase()} ${route.path}`;
      await keepSessions();
      const callers = callersFor(route.access);
      const writes = route.method !== 'get';
      for (const caller of callers) {
        // A caller the route refuses meets only what runs before the refusal: the path and the body's parsing.
        const refused = 'roles' in route.access && !(route.access.roles as readonly string[]).includes(caller.name);
        const url = samplePath(route.path);
        const tasks: (() => Promise<unknown>)[] = [];
        const push = (task: () => Promise<unknown>) => tasks.push(async () => (requests++, task()));
        for (const value of route.path.includes(':') ? PATH_VALUES : [])
          push(() => send(caller, route.method, samplePath(route.path, value), writes ? json({}) : undefined));
        for (const key of refused ? [] : QUERY_KEYS)
          for (const value of QUERY_VALUES) push(() => send(caller, route.method, `${url}?${key}=${value}`, writes ? json({}) : undefined));
        if (writes) {
          for (const body of WHOLE_BODIES) push(() => send(caller, route.method, url, json(body)));
          push(() => send(caller, route.method, url, { raw: '{"not json', type: 'application/json' }));
          push(() => send(caller, route.method, url, { raw: `${'['.repeat(20_000)}${']'.repeat(20_000)}`, type: 'application/json' }));
          push(() => send(caller, route.method, url, { raw: `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`, type: 'application/json' }));
          push(() => send(caller, route.method, url, { raw: 'a=1&b=%00&c=%27%20OR%201%3D1', type: 'application/x-www-form-urlencoded' }));
          for (const encoding of ['gzip', 'deflate', 'br', 'compress']) {
            push(() => send(caller, route.method, url, { raw: '{"not":"compressed"}', type: 'application/json', headers: { 'content-encoding': encoding } }));
          }
          push(() => send(caller, route.method, url, { raw: '{}', type: 'application/json; charset=foo' }));
          push(() => send(caller, route.method, url, { raw: 'plain\u0000text;1;2', type: 'text/plain' }));
          push(() => send(caller, route.method, url, { raw: 'a;b;c\n\u0000;;\n', type: 'text/csv' }));
        }
        await inParallel(tasks);
        if (!writes || refused) continue;
        const base = await learnBody(caller, route.method, url);
        const fieldTasks: (() => Promise<unknown>)[] = [];
        for (const path of leaves(base).slice(0, 12)) {
          for (const value of FIELD_VALUES) fieldTasks.push(async () => (requests++, send(caller, route.method, url, json(setAt(base, path, value)))));
        }
        for (const extra of [
          'name',
          'body',
          'text',
          'number',
          'message',
          'destination',
          'id',
          'campaignId',
          'campaignIds',
          'channelIds',
          'userIds',
          'settings',
          'secrets',
        ]) {
          if (extra in base) continue;
          for (const value of [2147483648, 'hello\u0000world', 'x'.repeat(70_000), ["' OR 1=1"]]) {
            fieldTasks.push(async () => (requests++, send(caller, route.method, url, json({ ...base, [extra]: value }))));
          }
        }
        await inParallel(fieldTasks);
      }
    }
    console.log(JSON.stringify({ fuzz: { routes: routes.length, requests, failures: failures.length } }));
    // One line per route that failed: how often, one example, and the errors the server logged.
    const byRoute = Map.groupBy(failures, (failure) => failure.route);
    const errors = [
      ...new Set(
        logs
          .text()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line))
          .filter((line) => line.err)
          .map((line) => `${line.method} ${line.path}: ${line.err.message}`.slice(0, 300)),
      ),
    ];
    expect(
      [...byRoute].map(([route, list]) => ({ route, count: list.length, example: list[0] })),
      errors.join('\n'),
    ).toEqual([]);
  }, 600_000);
});
