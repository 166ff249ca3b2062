import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactAddresses, dncr, messages, users } from '../db/schema/index.ts';
import { ACCOUNT_SID, AUTH_TOKEN, createTwilioChannelRow, PUBLIC_URL } from '../gateway/twilio/testing/twilio-fixture.ts';
import { twilioSignature } from '../gateway/twilio/twilio-signature.ts';
import { buildCampaign, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, eventually, login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

/** Inputs fault and abuse testing found answered 500, stored wrongly or lost (issue 13, items 2, 3 and 10). */
let platform: TestPlatform;
let admin: string;

beforeAll(async () => {
  platform = await startTestPlatform({ PUBLIC_URL, DEFAULT_COUNTRY: 'UY' });
  const user = await buildUser(platform.services.db, { role: 'admin' });
  admin = await login(platform.url, user.username, TEST_PASSWORD);
});
afterAll(() => platform.close());

function twilioForm(channelId: number, params: Record<string, string>, contentType = 'application/x-www-form-urlencoded') {
  const url = `${PUBLIC_URL}/webhooks/${channelId}`;
  const body = contentType.includes('json') ? JSON.stringify(params) : new URLSearchParams(params).toString();
  return fetch(`${platform.url}/webhooks/${channelId}`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-twilio-signature': twilioSignature(AUTH_TOKEN, url, params) },
    body,
  });
}

describe('NUL characters (PostgreSQL cannot store U+0000)', () => {
  it('a signed Twilio WhatsApp webhook with NUL in Body, ProfileName and MessageSid is stored once, without the NULs', async () => {
    const channel = await createTwilioChannelRow(platform.services.db, 'twilio_whatsapp');
    const sid = `SM${randomUUID().replaceAll('-', '')}`;
    const params = {
      MessageSid: `${sid.slice(0, 10)}\u0000${sid.slice(10)}`,
      AccountSid: ACCOUNT_SID,
      From: 'whatsapp:+14155552671',
      To: `whatsapp:${channel.address!}`,
      Body: 'hello\u0000world',
      ProfileName: 'Ja\u0000ne',
      WaId: '14155552671',
      NumMedia: '0',
      SmsStatus: 'received',
    };
    for (let delivery = 0; delivery < 3; delivery++) expect((await twilioForm(channel.id, params)).status).toBe(200);
    await eventually(async () => {
      const rows = await platform.services.db
        .select()
        .from(messages)
        .where(and(eq(messages.channelId, channel.id), eq(messages.direction, 'inbound')));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ body: 'helloworld', providerMessageId: sid });
      const [address] = await platform.services.db.select().from(contactAddresses).where(eq(contactAddresses.channelId, channel.id));
      expect(address?.profileName).toBe('Jane');
    });
  });

  it('the login form and the inbox search take a NUL like any other character', async () => {
    const [user] = await platform.services.db.select().from(users).limit(1);
    const login = await api(platform.url, 'POST', '/api/auth/login', { body: { username: `${user!.username}\u0000`, password: 'x\u0000' } });
    expect(login.status).toBe(401);
    const search = await api(platform.url, 'GET', `/api/conversations?scope=all&q=${encodeURIComponent('a\u0000b')}`, { cookie: admin });
    expect(search.status).toBe(200);
    const created = await api(platform.url, 'POST', '/api/schedules', {
      cookie: admin,
      body: { name: 'Night\u0000shift', timeZone: 'UTC', weekly: [], exceptions: [] },
    });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe('Nightshift');
  });
});

describe('ids', () => {
  it('beyond int4, signed, padded or not decimal: 400 (or 404), never 500, and never read as another id', async () => {
    expect((await fetch(`${platform.url}/webhooks/2147483648`, { method: 'POST', body: 'x' })).status).toBe(400);
    for (const path of [
      '/api/campaigns/2147483648',
      '/api/campaigns/-1',
      '/api/campaigns/1e3',
      '/api/campaigns/%201',
      '/api/conversations/99999999999999999999',
      '/api/dialers/0x10',
    ]) {
      expect((await api(platform.url, 'GET', path, { cookie: admin })).status, path).toBe(400);
    }
    const entry = await api(platform.url, 'POST', '/api/dncr', { cookie: admin, body: { number: '099123456', campaignId: null } });
    expect(entry.status).toBe(201);
    const padded = await api(platform.url, 'DELETE', `/api/dncr/%20${entry.body.id}`, { cookie: admin });
    expect(padded.status).toBe(400);
    expect(await platform.services.db.select().from(dncr).where(eq(dncr.id, entry.body.id))).toHaveLength(1);
    const campaign = await buildCampaign(platform.services.db);
    const members = await api(platform.url, 'POST', '/api/campaign-members', {
      cookie: admin,
      body: { campaignIds: [campaign.id], userIds: [2147483648], action: 'add' },
    });
    expect(members.status).toBe(400);
    expect(members.body.error.details).toEqual([{ path: 'userIds.0', message: expect.stringMatching(/out of range/) }]);
  });
});

describe('smaller findings', () => {
  it('the DNCR refuses what is not written as a phone number, with its line and column', async () => {
    for (const number of ['-1', "' OR 1=1 --", '12', 'call me']) {
      const refused = await api(platform.url, 'POST', '/api/dncr', { cookie: admin, body: { number, campaignId: null } });
      expect(refused.status, number).toBe(400);
      expect(refused.body.error.details).toEqual([{ path: 'number', message: `"${number}" is not a phone number` }]);
    }
    const upload = await fetch(`${platform.url}/api/dncr/imports?fileName=DNCR07122026.csv`, {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'text/csv' },
      body: "099123457;\n-1;\n' OR 1=1 --;\n",
    });
    expect(upload.status).toBe(400);
    expect((await upload.json()).error.details.issues).toEqual([
      { line: 2, column: 1, message: '"-1" is not a phone number' },
      { line: 3, column: 1, message: `"' OR 1=1 --" is not a phone number` },
    ]);
  });

  it('the Twilio adapter refuses a signed JSON body: Twilio only sends forms', async () => {
    const channel = await createTwilioChannelRow(platform.services.db, 'twilio_sms');
    const params = {
      MessageSid: `SM${randomUUID().replaceAll('-', '')}`,
      AccountSid: ACCOUNT_SID,
      From: '+14155552671',
      To: channel.address!,
      Body: 'json',
      SmsStatus: 'received',
    };
    expect((await twilioForm(channel.id, params, 'application/json')).status).toBe(403);
    expect(await platform.services.db.select().from(messages).where(eq(messages.channelId, channel.id))).toEqual([]);
  });
});
