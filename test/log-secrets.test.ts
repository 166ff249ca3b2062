import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, collectLogs, login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

/**
 * Nothing secret reaches a log line. Requests that carry a recognizable secret are made to fail in
 * the database (a trigger refuses the write, as a constraint or an outage would), so the failure is
 * logged with the statement that failed; the secret must appear nowhere in the output.
 */
let platform: TestPlatform;
let admin: string;
const logs = collectLogs();

const SECRET = 'TOPSECRET-7c1f9e-auth-token';
const ROTATED = 'TOPSECRET-a93b2d-rotated-token';

beforeAll(async () => {
  platform = await startTestPlatform({ ROLES: 'http,workers' }, undefined, { logs: logs.stream });
  const user = await buildUser(platform.services.db, { role: 'admin' });
  admin = await login(platform.url, user.username, TEST_PASSWORD);
});
afterAll(() => platform.close());

describe('secrets never reach the log', () => {
  it('a failed channel create, a failed token rotation and a failed simulator create log the failure, not the secrets', async () => {
    const body = {
      type: 'twilio_sms',
      name: 'Leaky line',
      address: '+14155550100',
      settings: { accountSid: `AC${'b2'.repeat(16)}`, fromNumber: '+14155550100' },
      secrets: { authToken: SECRET },
    };
    const created = await api(platform.url, 'POST', '/api/channels', { cookie: admin, body });
    expect(created.status).toBe(201);

    // From now on the database refuses every write to channels with an error nobody expected.
    await platform.services.db.execute(
      sql.raw(`
      create function refuse_channel_writes() returns trigger language plpgsql as $$
        begin raise exception 'channels are read-only for this test' using errcode = 'XX000'; end $$;
      create trigger refuse_channel_writes before insert or update on channels for each row execute function refuse_channel_writes();`),
    );

    const again = await api(platform.url, 'POST', '/api/channels', { cookie: admin, body: { ...body, name: 'Leaky line 2' } });
    const rotated = await api(platform.url, 'PATCH', `/api/channels/${created.body.id}`, { cookie: admin, body: { secrets: { authToken: ROTATED } } });
    const simulator = await api(platform.url, 'POST', '/api/channels', {
      cookie: admin,
      body: { type: 'simulator', name: 'Leaky phone', address: '+59820000001' },
    });
    for (const answer of [again, rotated, simulator]) {
      expect(answer.status).toBe(500);
      expect(JSON.stringify(answer.body)).not.toMatch(/TOPSECRET|signingKey|insert|update/i);
    }

    await new Promise((resolve) => setImmediate(resolve));
    const log = logs.text();
    // The failures were logged (the test is not passing on an empty log)…
    expect(log.match(/request failed/g)?.length).toBeGreaterThanOrEqual(3);
    expect(log).toMatch(/channels are read-only for this test/);
    // …without the tokens, nor the simulator's generated signing key, nor any statement's values.
    expect(log).not.toContain('TOPSECRET');
    expect(log).not.toMatch(/signingKey\\?"\s*:\s*\\?"(?!\[redacted\])/);
    expect(log).not.toMatch(/params: (?!\[redacted\])/);
  });

  it('a legacy SendSMS path that is not valid percent-encoding is refused without its API key in the log', async () => {
    const created = await api(platform.url, 'POST', '/api/api-keys', {
      cookie: admin,
      body: { name: 'legacy', campaignIds: [], dialerId: null, securityGroupId: null },
    });
    expect(created.status).toBe(201);
    const key: string = created.body.key;
    for (const message of ['%FF', '%', '%ED%A0%80']) {
      const response = await fetch(`${platform.url}/Integra/resources/SMS/SendSMS/destination=099123456&message=${message}&apikey=${key}`);
      expect(response.status, message).toBe(400);
      expect(await response.text()).not.toContain(key);
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(logs.text()).not.toContain(key);
  });
});
