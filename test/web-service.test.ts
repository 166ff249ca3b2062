import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyView, ApiMessageView } from '../contract/dialer.ts';
import { auditLog, spool } from '../db/schema/index.ts';
import { SINGLE_SEND_PRIORITY } from '../dialer/spool-message.ts';
import { MAX_MESSAGE_LENGTH } from '../api/web-service/send-api-message.ts';
import { buildCampaign, buildDialer, buildSimulatorChannel, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
let adminCookie: string;
let dialerId: number;
let otherDialerId: number;
const campaigns = {} as Record<'sales' | 'support' | 'elsewhere', { id: number; name: string }>;
/** Keys: `single` may send for sales only; `multi` for sales and support; `noDialer` has no dialer. */
const keys = {} as Record<'single' | 'multi' | 'noDialer', string>;

async function createKey(body: { campaignIds: number[]; dialerId: number | null }) {
  const created = await api<{ apiKey: ApiKeyView; key: string }>(platform.url, 'POST', '/api/api-keys', {
    cookie: adminCookie,
    body: { name: `key ${randomUUID()}`, securityGroupId: null, ...body },
  });
  expect(created.status).toBe(201);
  return created.body;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  const { db } = platform.services;
  const admin = await buildUser(db, { role: 'admin' });
  adminCookie = await login(platform.url, admin.username, TEST_PASSWORD);
  const channel = await buildSimulatorChannel(db);
  dialerId = (await buildDialer(db, channel.id)).id;
  otherDialerId = (await buildDialer(db, channel.id)).id;
  for (const name of ['sales', 'support', 'elsewhere'] as const) campaigns[name] = await buildCampaign(db, { name: `${name}-${randomUUID().slice(0, 8)}` });
  keys.single = (await createKey({ campaignIds: [campaigns.sales.id], dialerId })).key;
  keys.multi = (await createKey({ campaignIds: [campaigns.sales.id, campaigns.support.id], dialerId })).key;
  keys.noDialer = (await createKey({ campaignIds: [campaigns.sales.id], dialerId: null })).key;
});
afterAll(() => platform.close());

/** A unique phone number per test, so each finds its own spool rows. */
let numbers = 0;
const nextNumber = () => `0996${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(3, '0')}`;

async function text(response: Response) {
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

const legacyPost = async (
  fields: Record<string, string>,
  headers: Record<string, string> = { 'x-api-key': keys.multi },
  path = '/Integra/resources/SMS/SendSMS',
) => text(await fetch(`${platform.url}${path}`, { method: 'POST', headers, body: new URLSearchParams(fields) }));

const legacyGet = async (pathAndQuery: string, headers: Record<string, string> = {}) => text(await fetch(`${platform.url}${pathAndQuery}`, { headers }));

const rowsTo = (destination: string) => platform.services.db.select().from(spool).where(eq(spool.destination, destination)).orderBy(spool.id);

const okId = (body: string) => {
  expect(body).toMatch(/^OK \d+$/);
  return Number(body.slice(3));
};

describe('legacy SendSMS', () => {
  it('accepts the seed POST form and spools the message ahead of broadcasts', async () => {
    const destination = nextNumber();
    const answer = await legacyPost({ destination, message: 'Hola desde el CRM', campaign: campaigns.support.name, agent: 'jperez' });
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^text\/plain/);
    const id = okId(answer.body);
    const [row] = await rowsTo(destination);
    expect(row).toMatchObject({
      id,
      dialerId,
      campaignId: campaigns.support.id,
      destination,
      message: 'Hola desde el CRM',
      state: 1,
      priority: SINGLE_SEND_PRIORITY,
      device: null,
      data: 'agent=jperez',
    });
    const [audit] = await platform.services.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetType, 'spool'), eq(auditLog.targetId, String(id))));
    expect(audit).toMatchObject({
      action: 'webservice.message_spooled',
      targetType: 'spool',
      details: { via: 'sendsms', agent: 'jperez', campaignId: campaigns.support.id },
    });
    expect(audit!.actorApiKeyId).not.toBeNull();
  });

  it("accepts the seed GET form, fields in the last path segment, its device as the row's dial string", async () => {
    const destination = nextNumber();
    // The seed's URL as written; the key is the only campaign's, so the campaign may be left out.
    const answer = await legacyGet(
      `/Integra/resources/SMS/SendSMS/destination=${destination}&message=Mensaje%20de%20prueba2&api=dongle&device=dongle0?apikey=${keys.single}`,
    );
    expect(answer.status, answer.body).toBe(200);
    const [row] = await rowsTo(destination);
    expect(row).toMatchObject({
      id: okId(answer.body),
      campaignId: campaigns.sales.id,
      dialerId,
      message: 'Mensaje de prueba2',
      device: 'dongle0',
      data: 'api=dongle',
      state: 1,
      priority: SINGLE_SEND_PRIORITY,
    });
  });

  it('takes the lowercase path, the key inside the path segment, and keeps an encoded & and a + as sent', async () => {
    const destination = `+598${nextNumber().slice(1)}`;
    const answer = await legacyGet(`/integra/resources/sms/sendsms/destination=${destination}&message=Tom%20%26%20Jerry%20100%25&apikey=${keys.single}`);
    expect(answer.status, answer.body).toBe(200);
    const [row] = await rowsTo(destination);
    expect(row).toMatchObject({ id: okId(answer.body), destination, message: 'Tom & Jerry 100%', campaignId: campaigns.sales.id });
  });

  it('takes the fields in the query string too, with the key as a Bearer token', async () => {
    const destination = nextNumber();
    const query = new URLSearchParams({ destination, message: 'por query', campaign: campaigns.support.name });
    const answer = await legacyGet(`/INTEGRA/resources/SMS/SendSMS?${query}`, { authorization: `Bearer ${keys.multi}` });
    expect(answer.status, answer.body).toBe(200);
    const [row] = await rowsTo(destination);
    expect(row).toMatchObject({ id: okId(answer.body), message: 'por query', campaignId: campaigns.support.id });
  });

  it('refuses a request without a key, with an unknown key and with a revoked key (401, plain text)', async () => {
    const destination = nextNumber();
    const fields = { destination, message: 'x', campaign: campaigns.sales.name };
    const missing = await legacyPost(fields, {});
    expect(missing).toMatchObject({ status: 401, body: expect.stringMatching(/^ERROR An API key is required/) });
    expect(missing.type).toMatch(/^text\/plain/);
    expect(await legacyPost(fields, { 'x-api-key': `omk_${randomUUID()}` })).toEqual({
      status: 401,
      body: 'ERROR This API key is not valid or was revoked',
      type: expect.any(String),
    });

    const { apiKey, key } = await createKey({ campaignIds: [campaigns.sales.id], dialerId });
    expect((await legacyPost(fields, { 'x-api-key': key })).status).toBe(200);
    expect((await api(platform.url, 'POST', `/api/api-keys/${apiKey.id}/revoke`, { cookie: adminCookie })).status).toBe(200);
    expect(await legacyPost(fields, { 'x-api-key': key })).toMatchObject({ status: 401, body: 'ERROR This API key is not valid or was revoked' });
    expect(await legacyGet(`/Integra/resources/SMS/SendSMS/destination=${destination}&message=x&apikey=${key}`)).toMatchObject({ status: 401 });
    expect(await rowsTo(destination)).toHaveLength(1);
  });

  it('refuses a campaign outside the key (403) and one that does not exist (422)', async () => {
    const destination = nextNumber();
    expect(await legacyPost({ destination, message: 'x', campaign: campaigns.elsewhere.name })).toMatchObject({
      status: 403,
      body: `ERROR This API key may not send for campaign "${campaigns.elsewhere.name}"`,
    });
    expect(await legacyPost({ destination, message: 'x', campaign: 'no-such-campaign' })).toMatchObject({
      status: 422,
      body: 'ERROR There is no campaign "no-such-campaign"',
    });
    expect(await legacyPost({ destination, message: 'x' })).toMatchObject({
      status: 400,
      body: 'ERROR campaign is required: this API key may send for several campaigns',
    });
    expect(await legacyPost({ destination, message: 'x' }, { 'x-api-key': keys.noDialer })).toMatchObject({
      status: 409,
      body: expect.stringMatching(/^ERROR This API key has no dialer/),
    });
    expect(await rowsTo(destination)).toHaveLength(0);
  });

  it('answers bad input with a clear 400 and spools nothing', async () => {
    const destination = nextNumber();
    const campaign = campaigns.sales.name;
    const cases: [Record<string, string>, string][] = [
      [{ message: 'hola', campaign }, 'ERROR destination is required'],
      [{ destination: '  ', message: 'hola', campaign }, 'ERROR destination is required'],
      [{ destination: 'call me', message: 'hola', campaign }, 'ERROR destination is not a phone number (digits, optionally a leading +)'],
      [{ destination, campaign }, 'ERROR message is required'],
      [{ destination, message: '   ', campaign }, 'ERROR message is empty'],
      [{ destination, message: 'x'.repeat(MAX_MESSAGE_LENGTH + 1), campaign }, `ERROR message is longer than ${MAX_MESSAGE_LENGTH} characters`],
      [{ message: '', campaign }, 'ERROR destination is required; message is empty'],
      [{ destination, message: 'write to “info@example.com”', campaign }, 'ERROR message has characters old gateways mangle, refused: “ @ ”'],
      [
        { destination, message: 'tab\there', campaign, agent: 'j`perez' },
        'ERROR message has characters old gateways mangle, refused: tab (U+0009); agent has characters old gateways mangle, refused: ` (backtick)',
      ],
    ];
    for (const [fields, expected] of cases)
      expect(await legacyPost(fields), JSON.stringify(fields).slice(0, 80)).toMatchObject({ status: 400, body: expected });
    expect(await legacyPost({ destination, message: 'x'.repeat(MAX_MESSAGE_LENGTH), campaign })).toMatchObject({ status: 200 });
    expect(await legacyPost({ destination, message: 'two\r\nlines', campaign })).toMatchObject({ status: 200 });
    expect((await rowsTo(destination)).map((row) => row.message.length)).toEqual([MAX_MESSAGE_LENGTH, 'two\r\nlines'.length]);
  });

  it('sends nothing for a HEAD of the GET form (link checkers)', async () => {
    const destination = nextNumber();
    const response = await fetch(`${platform.url}/Integra/resources/SMS/SendSMS/destination=${destination}&message=x&apikey=${keys.single}`, {
      method: 'HEAD',
    });
    expect(response.status).toBe(405);
    expect(await rowsTo(destination)).toHaveLength(0);
  });
});

describe('REST web service /api/v1/messages', () => {
  const post = (body: unknown, headers: Record<string, string> = {}, key = keys.multi) =>
    api(platform.url, 'POST', '/api/v1/messages', { headers: { 'x-api-key': key, ...headers }, body });

  it('spools a message (202) and shows its state to the key', async () => {
    const destination = nextNumber();
    const sent = await post({ destination, message: 'hello', campaignId: campaigns.support.id, dialerId });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({
      destination,
      campaign: campaigns.support.name,
      dialerId,
      state: 'to_process',
      providerMessageId: null,
      processedAt: null,
    });
    const [row] = await rowsTo(destination);
    expect(row).toMatchObject({ id: sent.body.id, campaignId: campaigns.support.id, state: 1, priority: SINGLE_SEND_PRIORITY });

    const read = await api<ApiMessageView>(platform.url, 'GET', `/api/v1/messages/${sent.body.id}`, { headers: { 'x-api-key': keys.multi } });
    expect(read).toEqual({ status: 200, body: sent.body });
    // The single-campaign key does not reach the support campaign: the message does not exist for it.
    expect((await api(platform.url, 'GET', `/api/v1/messages/${sent.body.id}`, { headers: { 'x-api-key': keys.single } })).status).toBe(404);
  });

  it('answers a repeated Idempotency-Key with the first answer, and a different body with 422', async () => {
    const destination = nextNumber();
    const body = { destination, message: 'once', campaign: campaigns.sales.name };
    const idempotencyKey = randomUUID();
    const first = await post(body, { 'idempotency-key': idempotencyKey });
    expect(first.status).toBe(202);
    const again = await post({ campaign: campaigns.sales.name, message: 'once', destination }, { 'idempotency-key': idempotencyKey });
    expect(again).toEqual(first);
    expect(await rowsTo(destination)).toHaveLength(1);

    const conflict = await post({ ...body, message: 'twice' }, { 'idempotency-key': idempotencyKey });
    expect(conflict.status).toBe(422);
    expect(conflict.body.error.code).toBe('idempotency_conflict');
    // Keys belong to one API key: another key's same Idempotency-Key is another request.
    const otherKey = await post(body, { 'idempotency-key': idempotencyKey }, keys.single);
    expect(otherKey.status).toBe(202);
    expect(otherKey.body.id).not.toBe(first.body.id);
    // Without an Idempotency-Key every request is a new message.
    expect((await post(body)).status).toBe(202);
    expect(await rowsTo(destination)).toHaveLength(3);
  });

  it('creates one row for identical requests that arrive at once', async () => {
    const destination = nextNumber();
    const idempotencyKey = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => post({ destination, message: 'at once', campaignId: campaigns.sales.id }, { 'idempotency-key': idempotencyKey })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(202));
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    expect(await rowsTo(destination)).toHaveLength(1);
  });

  it('a failed request stores no answer: the same Idempotency-Key may be retried', async () => {
    const destination = nextNumber();
    const idempotencyKey = randomUUID();
    expect((await post({ destination, message: 'x', campaign: campaigns.elsewhere.name }, { 'idempotency-key': idempotencyKey })).status).toBe(403);
    const retried = await post({ destination, message: 'x', campaign: campaigns.elsewhere.name }, { 'idempotency-key': idempotencyKey });
    expect(retried.status).toBe(403);
    expect(await rowsTo(destination)).toHaveLength(0);
  });

  it('names the bad field in a 400', async () => {
    const destination = nextNumber();
    const refused = async (body: unknown, headers: Record<string, string> = {}) => {
      const answer = await post(body, headers);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      return answer.body.error;
    };
    expect((await refused({ message: 'x', campaignId: campaigns.sales.id })).details).toEqual([{ path: 'destination', message: 'destination is required' }]);
    expect((await refused({ destination, message: 'x', campaignId: 'one' })).details).toEqual([
      { path: 'campaignId', message: 'campaignId must be a positive whole number' },
    ]);
    expect((await refused({ destination, message: 'x', campaignId: campaigns.sales.id, destiny: destination })).details).toEqual([
      { path: '', message: 'Unknown field destiny: send destination, message, campaign or campaignId, dialerId' },
    ]);
    expect((await refused({ destination, message: 'x', campaignId: campaigns.sales.id }, { 'idempotency-key': 'has spaces' })).details).toEqual([
      { path: '', message: 'Idempotency-Key must be 1 to 255 printable ASCII characters' },
    ]);
    const notJson = await fetch(`${platform.url}/api/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': keys.multi, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(notJson.status).toBe(400);
    expect(await rowsTo(destination)).toHaveLength(0);
  });

  it('keeps to the key: its campaigns, its dialer', async () => {
    const destination = nextNumber();
    const outside = await post({ destination, message: 'x', campaignId: campaigns.elsewhere.id });
    expect(outside.status).toBe(403);
    expect(outside.body.error.message).toBe(`This API key may not send for campaign ${campaigns.elsewhere.id}`);
    expect((await post({ destination, message: 'x', campaignId: 999_999 })).status).toBe(422);
    const mismatch = await post({ destination, message: 'x', campaignId: campaigns.sales.id, campaign: campaigns.support.name });
    expect(mismatch.status).toBe(422);
    const otherDialer = await post({ destination, message: 'x', campaignId: campaigns.sales.id, dialerId: otherDialerId });
    expect(otherDialer.status).toBe(403);
    expect(otherDialer.body.error.message).toBe(`This API key sends through dialer ${dialerId} only`);
    expect((await post({ destination, message: 'x' }, {}, keys.noDialer)).body.error.code).toBe('no_dialer');
    expect((await post({ destination, message: 'x' }, {}, 'omk_unknown')).status).toBe(401);
    expect(await rowsTo(destination)).toHaveLength(0);
  });
});
