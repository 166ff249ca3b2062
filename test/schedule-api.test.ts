import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleView } from '../contract/campaigns.ts';
import { auditLog } from '../db/schema/index.ts';
import { buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
const cookies = { admin: '', supervisor: '', agent: '' };

beforeAll(async () => {
  platform = await startTestPlatform();
  for (const role of ['admin', 'supervisor', 'agent'] as const) {
    const user = await buildUser(platform.services.db, { role });
    cookies[role] = await login(platform.url, user.username, TEST_PASSWORD);
  }
});
afterAll(() => platform.close());

const call = <T = any>(method: string, path: string, cookie: string, body?: unknown) => api<T>(platform.url, method, path, { cookie, body });
const unique = (prefix: string) => `${prefix} ${randomUUID().slice(0, 8)}`;
const weekdays = (startMinute: number, endMinute: number) => [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startMinute, endMinute }));

describe('schedules', () => {
  it('creates, lists and replaces a schedule with its weekly hours and exceptions', async () => {
    const name = unique('Office hours');
    const created = await call<ScheduleView>('POST', '/api/schedules', cookies.admin, {
      name,
      timeZone: 'america/montevideo',
      weekly: [...weekdays(540, 1080), { dayOfWeek: 6, startMinute: 600, endMinute: 780 }],
      exceptions: [
        { date: '2026-12-25', note: 'Christmas' },
        { date: '2026-12-24', startMinute: 540, endMinute: 720, note: null },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name,
      timeZone: 'America/Montevideo', // stored in its canonical spelling
      weekly: [...weekdays(540, 1080), { dayOfWeek: 6, startMinute: 600, endMinute: 780 }],
      exceptions: [
        { date: '2026-12-24', startMinute: 540, endMinute: 720, note: null },
        { date: '2026-12-25', startMinute: null, endMinute: null, note: 'Christmas' },
      ],
    });
    const listed = await call<{ schedules: ScheduleView[] }>('GET', '/api/schedules', cookies.supervisor);
    expect(listed.body.schedules.find((schedule) => schedule.id === created.body.id)).toEqual(created.body);

    // PUT replaces everything: the Saturday hours and the exceptions go, a split Monday comes.
    const replaced = await call<ScheduleView>('PUT', `/api/schedules/${created.body.id}`, cookies.admin, {
      name,
      timeZone: 'UTC',
      weekly: [
        { dayOfWeek: 1, startMinute: 780, endMinute: 1440 },
        { dayOfWeek: 1, startMinute: 0, endMinute: 780 },
      ],
      exceptions: [],
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({
      id: created.body.id,
      name,
      timeZone: 'UTC',
      weekly: [
        { dayOfWeek: 1, startMinute: 0, endMinute: 780 },
        { dayOfWeek: 1, startMinute: 780, endMinute: 1440 },
      ],
      exceptions: [],
    });
    const audit = await platform.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetType, 'schedule'), eq(auditLog.targetId, String(created.body.id))))
      .orderBy(auditLog.id);
    expect(audit.map((row) => row.action)).toEqual(['schedule.created', 'schedule.updated']);

    const other = await call<ScheduleView>('POST', '/api/schedules', cookies.admin, { name: unique('Night') });
    expect(other.body).toMatchObject({ timeZone: 'UTC', weekly: [], exceptions: [] });
    const taken = await call('PUT', `/api/schedules/${other.body.id}`, cookies.admin, { name });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toBe(`A schedule named "${name}" already exists`);
    expect((await call('PUT', '/api/schedules/999999', cookies.admin, { name: unique('Ghost') })).status).toBe(404);
  });

  it('refuses each invalid field at its path', async () => {
    const cases: [Record<string, unknown>, string, RegExp?][] = [
      [{ name: ' ' }, 'name'],
      [{ timeZone: 'Mars/Olympus_Mons' }, 'timeZone', /not a known time zone/],
      [{ weekly: [{ dayOfWeek: 7, startMinute: 0, endMinute: 60 }] }, 'weekly.0.dayOfWeek'],
      [{ weekly: [{ dayOfWeek: 1, startMinute: -1, endMinute: 60 }] }, 'weekly.0.startMinute'],
      [{ weekly: [{ dayOfWeek: 1, startMinute: 0, endMinute: 1441 }] }, 'weekly.0.endMinute'],
      [{ weekly: [{ dayOfWeek: 1, startMinute: 600, endMinute: 600 }] }, 'weekly.0.endMinute', /after startMinute/],
      [{ weekly: [{ dayOfWeek: 1, startMinute: 1.5, endMinute: 600 }] }, 'weekly.0.startMinute'],
      [{ weekly: [...weekdays(540, 1080), { dayOfWeek: 3, startMinute: 1020, endMinute: 1200 }] }, 'weekly.5', /overlaps weekly\.2 \(Wednesday 09:00–18:00\)/],
      [{ exceptions: [{ date: '2026-02-30' }] }, 'exceptions.0.date', /not a date/],
      [{ exceptions: [{ date: '25/12/2026' }] }, 'exceptions.0.date', /YYYY-MM-DD/],
      [{ exceptions: [{ date: '2026-12-24', startMinute: 540 }] }, 'exceptions.0.endMinute'],
      [{ exceptions: [{ date: '2026-12-24', startMinute: 600, endMinute: 540 }] }, 'exceptions.0.endMinute'],
      [{ exceptions: [{ date: '2026-12-24' }, { date: '2026-12-24', startMinute: 540, endMinute: 600 }] }, 'exceptions.1', /closed all day/],
      [
        {
          exceptions: [
            { date: '2026-12-24', startMinute: 540, endMinute: 600 },
            { date: '2026-12-24', startMinute: 590, endMinute: 700 },
          ],
        },
        'exceptions.1',
      ],
    ];
    for (const [fields, path, message] of cases) {
      const response = await call('POST', '/api/schedules', cookies.admin, { name: unique('Refused'), ...fields });
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(response.body.error.details, JSON.stringify(fields)).toContainEqual({
        path,
        message: message ? expect.stringMatching(message) : expect.any(String),
      });
    }
    // Touching intervals are not an overlap.
    const touching = await call('POST', '/api/schedules', cookies.admin, {
      name: unique('Split'),
      weekly: [
        { dayOfWeek: 0, startMinute: 0, endMinute: 600 },
        { dayOfWeek: 0, startMinute: 600, endMinute: 1440 },
      ],
    });
    expect(touching.status).toBe(201);
    const { body } = await call<{ schedules: ScheduleView[] }>('GET', '/api/schedules', cookies.admin);
    expect(body.schedules.filter((schedule) => schedule.name.startsWith('Refused'))).toEqual([]);
  });

  it('lets supervisors read and only admins write', async () => {
    expect((await call('GET', '/api/schedules', cookies.agent)).status).toBe(403);
    expect((await call('POST', '/api/schedules', cookies.supervisor, { name: unique('Nope') })).status).toBe(403);
    expect((await call('PUT', '/api/schedules/1', cookies.supervisor, { name: unique('Nope') })).status).toBe(403);
  });
});
