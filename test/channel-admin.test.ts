import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeTwilioApi } from '../gateway/twilio/testing/fake-twilio-api.ts';
import { ACCOUNT_SID, AUTH_TOKEN } from '../gateway/twilio/testing/twilio-fixture.ts';
import { buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
let cookie: string;
let twilio: ReturnType<typeof fakeTwilioApi>;
beforeAll(async () => {
  platform = await startTestPlatform({ PUBLIC_URL: 'https://chat.example.com' });
  const admin = await buildUser(platform.services.db, { role: 'admin' });
  cookie = await login(platform.url, admin.username, TEST_PASSWORD);
  twilio = fakeTwilioApi();
});
afterAll(async () => {
  twilio.close();
  await platform.close();
});

describe('channel administration', () => {
  it("validates settings and secrets with the type's own schema, naming each field", async () => {
    const response = await api(platform.url, 'POST', '/api/channels', {
      cookie,
      body: { type: 'twilio_sms', name: 'Twilio bad', settings: { accountSid: 'nope', fromNumber: '+14155550100' }, secrets: {} },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([
      { path: 'settings.accountSid', message: 'must be an Account SID (AC followed by 32 hex characters)' },
      { path: 'secrets.authToken', message: 'required: the Auth Token from the Twilio console' },
    ]);
  });

  it('keeps secrets write-only: never returned, replaced only when named', async () => {
    const created = await api(platform.url, 'POST', '/api/channels', {
      cookie,
      body: {
        type: 'twilio_sms',
        name: 'Twilio main',
        address: '+14155550100',
        defaultCountry: 'US',
        settings: { accountSid: ACCOUNT_SID, fromNumber: '+14155550100' },
        secrets: { authToken: AUTH_TOKEN },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'twilio_sms', secretsSet: ['authToken'], webhookUrl: `https://chat.example.com/webhooks/${created.body.id}` });
    const listed = await api(platform.url, 'GET', '/api/channels', { cookie });
    expect(JSON.stringify(listed.body)).not.toContain(AUTH_TOKEN);

    await api(platform.url, 'PATCH', `/api/channels/${created.body.id}`, { cookie, body: { enabled: false } });
    const renamed = await api(platform.url, 'PATCH', `/api/channels/${created.body.id}`, { cookie, body: { name: 'Twilio US' } });
    // Only what the PATCH names changes: still disabled, settings and secret kept.
    expect(renamed.body).toMatchObject({ name: 'Twilio US', enabled: false, settings: { accountSid: ACCOUNT_SID }, secretsSet: ['authToken'] });
    const row = await platform.services.db.query.channels.findFirst({ where: (c, { eq }) => eq(c.id, created.body.id) });
    expect(row!.secrets).toEqual({ authToken: AUTH_TOKEN });
    const duplicate = await api(platform.url, 'POST', '/api/channels', { cookie, body: { type: 'simulator', name: 'Twilio US' } });
    expect(duplicate.status).toBe(409);
  });

  it('test-sends through the provider and then refuses to delete a channel with history', async () => {
    const created = await api(platform.url, 'POST', '/api/channels', {
      cookie,
      body: {
        type: 'twilio_sms',
        name: 'Twilio test',
        address: '+14155550100',
        defaultCountry: 'US',
        settings: { accountSid: ACCOUNT_SID, fromNumber: '+14155550100' },
        secrets: { authToken: AUTH_TOKEN },
      },
    });
    const sent = twilio.nextSend();
    const result = await api(platform.url, 'POST', `/api/channels/${created.body.id}/test-send`, {
      cookie,
      body: { to: '(415) 555-2671', text: 'Test from Omnichat' },
    });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ status: 'sent', providerMessageId: expect.stringMatching(/^SM/), error: null });
    expect(await sent).toMatchObject({ to: '+14155552671', body: 'Test from Omnichat' });

    twilio.failNext({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const refused = await api(platform.url, 'POST', `/api/channels/${created.body.id}/test-send`, { cookie, body: { to: '+14155552671', text: 'again' } });
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject({ status: 'failed', error: { code: '21211', message: expect.stringContaining('not a valid phone number') } });

    const removal = await api(platform.url, 'DELETE', `/api/channels/${created.body.id}`, { cookie });
    expect(removal.status).toBe(409);
    const unused = await api(platform.url, 'POST', '/api/channels', { cookie, body: { type: 'simulator', name: 'Spare phone' } });
    expect(unused.body.secretsSet).toEqual(['signingKey']);
    expect((await api(platform.url, 'DELETE', `/api/channels/${unused.body.id}`, { cookie })).status).toBe(204);
  });

  it('shows a session channel without a webhook, and stopped while no node holds it', async () => {
    const created = await api(platform.url, 'POST', '/api/channels', {
      cookie,
      body: { type: 'baileys', name: 'WhatsApp Web sales', address: '+59899123456', enabled: false },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      receivesWebhooks: false,
      webhookUrl: null,
      effectiveSendsPerSecond: 0.5,
      session: { state: 'stopped', qr: null, qrImage: null, detail: 'The channel is disabled' },
    });
    const twilio = (await api(platform.url, 'GET', '/api/channels', { cookie })).body.channels.find(
      (channel: { type: string }) => channel.type === 'twilio_sms',
    );
    expect(twilio).toMatchObject({ receivesWebhooks: true, webhookUrl: `https://chat.example.com/webhooks/${twilio.id}`, session: null });
  });
});
