import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../db/schema/index.ts';
import { buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

const limits = { LOGIN_MAX_CONSECUTIVE_FAILS: '5', LOGIN_LOCKOUT_SECONDS: '600', LOGIN_MAX_FAILS_PER_ADDRESS: '20', LOGIN_ADDRESS_LOCKOUT_SECONDS: '900' };
let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform(limits);
});
afterAll(() => platform.close());

/**
 * A login from `address`: the test talks to the platform over loopback, which the app trusts as a
 * proxy ('trust proxy' 'loopback'), so X-Forwarded-For sets the client address each test uses.
 */
async function signIn(url: string, username: string, password: string, address: string) {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as { error?: { code: string; message: string } };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), cookie: response.headers.get('set-cookie'), body };
}

const lockoutsOf = (scope: string) =>
  platform.services.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.action, 'auth.locked_out'))
    .then((rows) => rows.filter((row) => row.details.scope === scope));

describe('login throttling', () => {
  it('locks a username out of an address after the allowed failures, even 50 at a time, on every node, and then refuses the right password too', async () => {
    const admin = await buildUser(platform.services.db, { role: 'admin' });
    const address = '198.51.100.10';
    const statuses: number[] = [];
    for (let wave = 0; wave < 2; wave++) {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => signIn(platform.url, admin.username, `wrong-${wave}-${i}`, address)));
      statuses.push(...answers.map((answer) => answer.status));
      for (const answer of answers.filter((candidate) => candidate.status === 429)) {
        expect(answer.body.error!.code).toBe('too_many_attempts');
        expect(Number(answer.retryAfter)).toBeGreaterThan(0);
        expect(Number(answer.retryAfter)).toBeLessThanOrEqual(600);
      }
    }
    // Only the allowed number of passwords was ever checked; the rest were refused unchecked.
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(95);

    // The right password is refused the same way: a locked-out client cannot learn it was right.
    const right = await signIn(platform.url, admin.username, TEST_PASSWORD, address);
    const wrong = await signIn(platform.url, admin.username, 'still-wrong', address);
    for (const answer of [right, wrong]) {
      expect(answer).toMatchObject({ status: 429, cookie: null, body: { error: { code: 'too_many_attempts' } } });
      expect(answer.body.error!.message).toMatch(/^Too many failed sign-ins\. Try again in \d+ minutes\.$/);
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      expect(Number(answer.retryAfter)).toBeLessThanOrEqual(600);
    }

    // The lockout is audited once, for that user and address; the refused attempts did not count
    // against the address (its limit, 20, is below the 100 attempts).
    const audited = await lockoutsOf('username_and_address');
    expect(audited).toHaveLength(1);
    expect(await lockoutsOf('address')).toEqual([]);
    expect(audited[0]).toMatchObject({
      actorUserId: admin.id,
      targetType: 'user',
      targetId: String(admin.id),
      details: { username: admin.username, ip: address, seconds: 600 },
    });

    // Another process on the same database sees the same lockout.
    const second = await startTestPlatform(limits, { databaseUrl: platform.databaseUrl });
    try {
      expect(await signIn(second.url, admin.username, TEST_PASSWORD, address)).toMatchObject({ status: 429, body: { error: { code: 'too_many_attempts' } } });
    } finally {
      await second.close();
    }
    // The lock is on this username from this address: the admin still signs in from elsewhere.
    expect((await signIn(platform.url, admin.username, TEST_PASSWORD, '198.51.100.11')).status).toBe(200);
  });

  it('lets a success reset the run of failures', async () => {
    const agent = await buildUser(platform.services.db, { role: 'agent' });
    const address = '198.51.100.20';
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect((await signIn(platform.url, agent.username, 'wrong', address)).status).toBe(401);
      expect((await signIn(platform.url, agent.username, TEST_PASSWORD, address)).status).toBe(200);
    }
  });

  it("limits a different user from a locked-out user's address by the per-address limit only", async () => {
    const admin = await buildUser(platform.services.db, { role: 'admin' });
    const supervisor = await buildUser(platform.services.db, { role: 'supervisor' });
    const address = '198.51.100.30';
    for (let i = 0; i < 5; i++) expect((await signIn(platform.url, admin.username, 'wrong', address)).status).toBe(401);
    expect((await signIn(platform.url, admin.username, TEST_PASSWORD, address)).status).toBe(429);

    // The admin's lockout is not the supervisor's.
    expect((await signIn(platform.url, supervisor.username, TEST_PASSWORD, address)).status).toBe(200);
    // 5 failures counted so far against the address (its limit is 20): 15 more, one per username,
    // never 5 in a row for any of them, use it up; then the address is locked for everyone.
    const failures = await Promise.all(Array.from({ length: 15 }, (_, i) => signIn(platform.url, `nobody-${i}`, 'wrong', address)));
    expect(failures.map((answer) => answer.status)).toEqual(Array(15).fill(401));
    const locked = await signIn(platform.url, supervisor.username, TEST_PASSWORD, address);
    expect(locked.status).toBe(429);
    // The address's lockout (900 s), not a username's (600 s).
    expect(Number(locked.retryAfter)).toBeGreaterThan(600);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(900);
    expect(await lockoutsOf('address')).toEqual([expect.objectContaining({ actorUserId: null, targetType: 'address', targetId: address })]);
    // Only that address.
    expect((await signIn(platform.url, supervisor.username, TEST_PASSWORD, '198.51.100.31')).status).toBe(200);
  });
});
