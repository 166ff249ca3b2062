import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../db/schema/index.ts';
import { api, eventually, login, startTestPlatform, type TestPlatform } from '../../test/harness/test-platform.ts';
import { buildChannel, buildUser, TEST_PASSWORD } from '../../test/harness/factories.ts';
import { legacyGetSecrets, legacyGetSettings, WEBHOOK_SECRET } from './testing/example-providers.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.close());

const legacyChannel = (inbound: Record<string, unknown>) =>
  buildChannel(platform.services.db, {
    type: 'http_generic',
    address: '+59898344484',
    settings: { ...legacyGetSettings, inbound: { ...legacyGetSettings.inbound, ...inbound } },
    secrets: legacyGetSecrets,
  });

describe('http_generic: GET-style deliveries and custom answers', () => {
  it('accepts a GET delivery when configured, answers what the provider expects, and stores it once', async () => {
    const row = await legacyChannel({ acceptGet: true, answer: { contentType: 'text/plain', body: 'OK' } });
    const query = new URLSearchParams({
      token: WEBHOOK_SECRET,
      from: '59899123456',
      to: '59898344484',
      msg: 'Hola & chau',
      smsid: 'L-77',
      time: '2026-11-24 10:00:00',
    });
    const url = `${platform.url}/webhooks/${row.id}?${query}`;
    for (const attempt of [1, 2]) {
      const response = await fetch(url);
      expect([attempt, response.status, response.headers.get('content-type'), await response.text()]).toEqual([
        attempt,
        200,
        'text/plain; charset=utf-8',
        'OK',
      ]);
    }
    await eventually(async () => {
      const rows = await platform.services.db
        .select()
        .from(messages)
        .where(and(eq(messages.channelId, row.id), eq(messages.direction, 'inbound')));
      expect(rows.map((message) => [message.address, message.body, message.providerMessageId])).toEqual([['+59899123456', 'Hola & chau', 'L-77']]);
    });
    query.set('token', 'not-the-token');
    expect((await fetch(`${platform.url}/webhooks/${row.id}?${query}`)).status).toBe(403);
  });

  it('answers 404 to a GET on a channel that takes deliveries by POST only', async () => {
    const row = await legacyChannel({});
    const query = new URLSearchParams({ token: WEBHOOK_SECRET, from: '59899123456', msg: 'hi', smsid: 'L-78' });
    expect((await fetch(`${platform.url}/webhooks/${row.id}?${query}`)).status).toBe(404);
  });

  it('refuses to save settings whose templates read a secret that is not set', async () => {
    const admin = await buildUser(platform.services.db, { role: 'admin' });
    const cookie = await login(platform.url, admin.username, TEST_PASSWORD);
    const { password: _password, ...secrets } = legacyGetSecrets;
    const created = await api(platform.url, 'POST', '/api/channels', {
      cookie,
      body: { type: 'http_generic', name: 'Legacy SMS', settings: legacyGetSettings, secrets },
    });
    expect(created.status).toBe(400);
    expect(created.body.error.details).toEqual([{ path: 'secrets.password', message: 'used by the send settings but not set' }]);
  });
});
