import { getCountry } from 'countries-and-timezones';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spool } from '../db/schema/index.ts';
import { quietUntil } from '../dialer/quiet-hours.ts';
import { signalDialer } from '../dialer/dialer-signal.ts';
import { createDinstarChannelRow, dinstarPush, GATEWAY_PASSWORD, GATEWAY_SN, GATEWAY_URL } from '../gateway/dinstar/testing/dinstar-fixture.ts';
import { fakeDinstarApi, gatewayClock, type FakeDinstarApi } from '../gateway/dinstar/testing/fake-dinstar-api.ts';
import { createCloudApiChannelRow, metaCall, metaEnvelope } from '../gateway/whatsapp-cloud/testing/cloud-api-fixture.ts';
import { fakeGraphApi } from '../gateway/whatsapp-cloud/testing/fake-graph-api.ts';
import { buildCampaign, buildChannel, buildDialer, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, eventually, login, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

// The platform's own dialer runner and channel registry send through the real adapters, which talk to
// the providers' fakes at the network edge. One batch loop per dialer: sends reach the fakes in order.
let platform: TestPlatform;
let admin: string;
beforeAll(async () => {
  platform = await startTestPlatform({ DIALER_CONCURRENCY: '1' });
  const user = await buildUser(platform.services.db, { role: 'admin' });
  admin = await login(platform.url, user.username, TEST_PASSWORD);
});
afterAll(() => platform.close());

type Row = { destination: string; message?: string; device?: string };

/** Rows on a dialer's spool, in entry order, and the runners told to look. */
async function addRows(dialerId: number, campaignId: number, rows: Row[]): Promise<number[]> {
  const { db } = platform.services;
  const inserted = await db
    .insert(spool)
    .values(
      rows.map((row, index) => ({
        dialerId,
        campaignId,
        destination: row.destination,
        message: row.message ?? `aviso ${index + 1}`,
        device: row.device ?? null,
      })),
    )
    .returning({ id: spool.id });
  await signalDialer(db, dialerId);
  return inserted.map((row) => row.id);
}

const spoolRows = (dialerId: number) => platform.services.db.select().from(spool).where(eq(spool.dialerId, dialerId)).orderBy(asc(spool.id));

const postWebhook = (channelId: number, call: { headers: Record<string, string>; body: string }) =>
  fetch(`${platform.url}/webhooks/${channelId}`, { method: 'POST', headers: call.headers, body: call.body });

describe('a broadcast through a Dinstar gateway', () => {
  let gateway: FakeDinstarApi;
  beforeAll(() => {
    gateway = fakeDinstarApi({ baseUrl: GATEWAY_URL, password: GATEWAY_PASSWORD, sn: GATEWAY_SN });
  });
  afterAll(() => gateway.close());

  const sendsTo = (numbers: readonly string[]) => gateway.sends.filter((send) => numbers.includes(send.number));

  it("rotates over the dialer's dial string 0-3 send after send; a row's own device picks its port", async () => {
    const { db } = platform.services;
    // The channel's own default is port 7: every send below must follow the dialer's dial string instead.
    const channel = await createDinstarChannelRow(db, { dialString: '7' });
    const campaign = await buildCampaign(db);
    const dialer = await buildDialer(db, channel.id, { running: true, dialString: '0-3', timeBetweenMessagesMs: 1 });
    const local = Array.from({ length: 7 }, (_, i) => `09910000${i}`);
    const e164 = local.map((number) => `+598${number.slice(1)}`);
    // The first row names its device (port 2); it must not move the rotation of the other six.
    await addRows(
      dialer.id,
      campaign.id,
      local.map((destination, i) => ({ destination, message: `aviso ${i}`, ...(i === 0 ? { device: '2' } : {}) })),
    );

    await eventually(() => expect(sendsTo(e164)).toHaveLength(7));
    const sends = sendsTo(e164);
    expect(sends.map((send) => send.number)).toEqual(e164);
    expect(sends.map((send) => send.port)).toEqual([2, 0, 1, 2, 3, 0, 1]);
    expect(sends.map((send) => send.ports)).toEqual([[2], [0], [1], [2], [3], [0], [1]]);
    expect(sends.map((send) => send.text)).toEqual(local.map((_, i) => `aviso ${i}`));
    const rows = await eventually(async () => {
      const found = await spoolRows(dialer.id);
      expect(found.map((row) => row.state)).toEqual([2, 2, 2, 2, 2, 2, 2]);
      return found;
    });
    // The gateway's results name our user_id: the row's id is its provider id.
    expect(rows.map((row) => row.providerMessageId)).toEqual(rows.map((row) => String(row.id)));
    expect(sends.map((send) => send.userId)).toEqual(rows.map((row) => row.id));
  });

  it("applies the gateway's pushed results to the broadcast rows: delivered, or failed with the reason; both stay SENT", async () => {
    const { db } = platform.services;
    const channel = await createDinstarChannelRow(db);
    const campaign = await buildCampaign(db);
    const dialer = await buildDialer(db, channel.id, { running: true, timeBetweenMessagesMs: 1 });
    const [delivered, failed] = await addRows(dialer.id, campaign.id, [{ destination: '099200001' }, { destination: '099200002' }]);
    await eventually(async () => expect((await spoolRows(dialer.id)).map((row) => row.state)).toEqual([2, 2]));
    expect((await spoolRows(dialer.id)).map((row) => row.deliveryStatus ?? 'sent')).toEqual(['sent', 'sent']);

    const result = (userId: number, number: string, status: string, port: number) => ({
      port,
      user_id: userId,
      number,
      time: gatewayClock(),
      status,
      count: 1,
      succ_count: status === 'FAILED' ? 0 : 1,
      ref_id: 3,
      imsi: '748010123456789',
    });
    const push = dinstarPush({ sms_result: [result(delivered!, '+59899200001', 'DELIVERED', 0), result(failed!, '+59899200002', 'FAILED', 1)] });
    expect((await postWebhook(channel.id, push)).status).toBe(200);

    const rows = await eventually(async () => {
      const found = await spoolRows(dialer.id);
      expect(found.map((row) => row.deliveryStatus)).toEqual(['delivered', 'failed']);
      return found;
    });
    expect(rows.map((row) => row.state)).toEqual([2, 2]);
    expect(rows[0]!.error).toBeNull();
    expect(rows[1]!.error).toBe('send_failed: the gateway could not send it on port 1 (0 of 1 parts sent)');
    expect(rows.every((row) => row.deliveryStatusAt !== null)).toBe(true);
  });

  it('holds a row whose recipient is in quiet hours (until their 08:00) and sends the one in daytime', async () => {
    const { db } = platform.services;
    // Countries spread over the clock (UTC-3 to UTC+13): at any moment one is at night and one in daytime.
    const candidates = [
      { country: 'UY', number: '+59899123456' },
      { country: 'ES', number: '+34612345678' },
      { country: 'IN', number: '+919876543210' },
      { country: 'JP', number: '+819012345678' },
      { country: 'NZ', number: '+64211234567' },
    ];
    const now = new Date();
    // Five minutes of margin on both sides: neither may cross 08:00 or 21:00 while the test runs.
    const later = new Date(now.getTime() + 5 * 60_000);
    const night = candidates.find(({ country }) => quietUntil(country, now) && quietUntil(country, later));
    const day = candidates.find(({ country }) => !quietUntil(country, now) && !quietUntil(country, later));
    expect(night, 'a candidate country at night now').toBeDefined();
    expect(day, 'a candidate country in daytime now').toBeDefined();
    // The choice, checked on the clock itself: some zone of the night country is outside 08:00–21:00.
    const hourIn = (timeZone: string) => Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(now));
    expect(getCountry(night!.country)!.timezones.some((zone) => hourIn(zone) < 8 || hourIn(zone) >= 21)).toBe(true);
    expect(getCountry(day!.country)!.timezones.every((zone) => hourIn(zone) >= 8 && hourIn(zone) < 21)).toBe(true);

    const channel = await createDinstarChannelRow(db);
    const campaign = await buildCampaign(db);
    const dialer = await buildDialer(db, channel.id, { running: true, quietHours: true, timeBetweenMessagesMs: 1 });
    const [held, sent] = await addRows(dialer.id, campaign.id, [{ destination: night!.number }, { destination: day!.number }]);

    const rows = await eventually(async () => {
      const found = await spoolRows(dialer.id);
      expect(found.find((row) => row.id === held)!.notBefore).not.toBeNull();
      expect(found.find((row) => row.id === sent)!.state).toBe(2);
      return found;
    });
    const heldRow = rows.find((row) => row.id === held)!;
    expect(heldRow.state).toBe(1);
    expect(heldRow.claimedAt).toBeNull();
    expect(heldRow.notBefore).toEqual(quietUntil(night!.country, now));
    expect(heldRow.notBefore!.getTime()).toBeGreaterThan(Date.now());
    expect(heldRow.error).toMatch(/^held by quiet hours until /);
    expect(sendsTo([day!.number])).toHaveLength(1);
    expect(sendsTo([night!.number])).toHaveLength(0);
  });

  it('gives a row back for later when the gateway has no free port (retryable), and sends it then', async () => {
    const { db } = platform.services;
    const channel = await createDinstarChannelRow(db);
    const campaign = await buildCampaign(db);
    const dialer = await buildDialer(db, channel.id, { running: true, timeBetweenMessagesMs: 1 });
    gateway.failNext({ errorCode: 550 });
    const before = Date.now();
    const [id] = await addRows(dialer.id, campaign.id, [{ destination: '099300001' }]);
    const row = await eventually(async () => {
      const [found] = await spoolRows(dialer.id);
      expect(found!.notBefore).not.toBeNull();
      return found!;
    });
    expect(row).toMatchObject({
      id,
      state: 1,
      attempts: 0,
      claimedAt: null,
      error: 'will retry: 550: no port is available to send (SIMs busy, unregistered or blocked) (port 0)',
    });
    expect(row.notBefore!.getTime()).toBeGreaterThan(before);
    expect(sendsTo(['+59899300001'])).toHaveLength(0); // the refused attempt was never queued by the gateway
    // Its time comes: it is sent, the earlier refusal kept as its note.
    await db
      .update(spool)
      .set({ notBefore: new Date(Date.now() - 1_000) })
      .where(eq(spool.id, id!));
    await signalDialer(db, dialer.id);
    await eventually(async () => expect((await spoolRows(dialer.id))[0]!.state).toBe(2));
    expect(sendsTo(['+59899300001'])).toHaveLength(1);
    expect((await spoolRows(dialer.id))[0]!.error).toMatch(/^will retry: 550/);
  });
});

describe('a WhatsApp Cloud API broadcast', () => {
  let graph: ReturnType<typeof fakeGraphApi>;
  beforeAll(() => {
    graph = fakeGraphApi();
  });
  afterAll(() => graph.close());

  it('needs an approved template: a dialer without one is refused, naming the field', async () => {
    const channel = await createCloudApiChannelRow(platform.services.db);
    const refused = await api(platform.url, 'POST', '/api/dialers', {
      cookie: admin,
      body: { name: `cloud-${channel.id}`, channelId: channel.id, enabled: true },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('validation_failed');
    expect(refused.body.error.details).toEqual([{ path: 'template', message: expect.stringMatching(/template/) }]);
  });

  it("sends the template with each row's |-separated variables as body parameters, and Meta's statuses reach the rows", async () => {
    const { db } = platform.services;
    const channel = await createCloudApiChannelRow(db);
    const campaign = await buildCampaign(db);
    const created = await api(platform.url, 'POST', '/api/dialers', {
      cookie: admin,
      body: { name: `promo-${channel.id}`, channelId: channel.id, enabled: true, timeBetweenMessagesMs: 0, template: { name: 'promo_nov', language: 'es' } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ template: { name: 'promo_nov', language: 'es' }, warnings: [] });
    const dialerId: number = created.body.id;
    expect((await api(platform.url, 'POST', `/api/dialers/${dialerId}/start`, { cookie: admin })).body.running).toBe(true);

    const numbers = ['5491123456789', '5491123456790'];
    const [ana, luis] = await addRows(dialerId, campaign.id, [
      { destination: `+${numbers[0]}`, message: 'Ana|20%' },
      { destination: `+${numbers[1]}`, message: 'Luis | 15%' },
    ]);
    await eventually(() => expect(graph.sends.filter((send) => numbers.includes(send.payload.to))).toHaveLength(2));
    const payloads = graph.sends.filter((send) => numbers.includes(send.payload.to)).map((send) => send.payload);
    const template = (name: string, discount: string) => ({
      name: 'promo_nov',
      language: { code: 'es' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: name },
            { type: 'text', text: discount },
          ],
        },
      ],
    });
    expect(payloads).toEqual([
      { messaging_product: 'whatsapp', recipient_type: 'individual', to: numbers[0], type: 'template', template: template('Ana', '20%') },
      { messaging_product: 'whatsapp', recipient_type: 'individual', to: numbers[1], type: 'template', template: template('Luis', '15%') },
    ]);

    const rows = await eventually(async () => {
      const found = await spoolRows(dialerId);
      expect(found.map((row) => row.state)).toEqual([2, 2]);
      return found;
    });
    const wamids = rows.map((row) => row.providerMessageId!);
    expect(wamids.every((wamid) => wamid.startsWith('wamid.'))).toBe(true);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const statuses = metaCall(
      metaEnvelope({
        statuses: [
          { id: wamids[0], status: 'delivered', timestamp, recipient_id: numbers[0] },
          { id: wamids[1], status: 'failed', timestamp, recipient_id: numbers[1], errors: [{ code: 131026, title: 'Message undeliverable' }] },
        ],
      }),
    );
    expect((await postWebhook(channel.id, statuses)).status).toBe(200);
    await eventually(async () => {
      const found = await spoolRows(dialerId);
      expect(found.map((row) => [row.id, row.state, row.deliveryStatus, row.error])).toEqual([
        [ana, 2, 'delivered', null],
        [luis, 2, 'failed', '131026: Message undeliverable'],
      ]);
    });
  });
});

describe('a broadcast over WhatsApp Web', () => {
  it.each(['baileys', 'wwebjs'] as const)('over %s, is refused below 3000 ms between messages and warned about the ban risk above', async (type) => {
    // Disabled: no session is started for it; the dialer's rules read only its type.
    const channel = await buildChannel(platform.services.db, { type, address: '+59899000000', defaultCountry: 'UY', enabled: false });
    const body = (timeBetweenMessagesMs: number) => ({
      name: `${type}-${channel.id}-${timeBetweenMessagesMs}`,
      channelId: channel.id,
      enabled: true,
      timeBetweenMessagesMs,
    });

    const fast = await api(platform.url, 'POST', '/api/dialers', { cookie: admin, body: body(500) });
    expect(fast.status).toBe(400);
    expect(fast.body.error.details).toEqual([{ path: 'timeBetweenMessagesMs', message: expect.stringMatching(/3000 ms/) }]);
    // Left at the default pace (1000 ms) it is refused too.
    const unpaced = await api(platform.url, 'POST', '/api/dialers', { cookie: admin, body: { name: `${type}-${channel.id}-default`, channelId: channel.id } });
    expect(unpaced.body.error.details).toEqual([{ path: 'timeBetweenMessagesMs', message: expect.any(String) }]);

    const paced = await api(platform.url, 'POST', '/api/dialers', { cookie: admin, body: body(5000) });
    expect(paced.status).toBe(201);
    expect(paced.body.timeBetweenMessagesMs).toBe(5000);
    expect(paced.body.warnings).toEqual([expect.stringMatching(/bans/)]);
    const listed = await api(platform.url, 'GET', `/api/dialers/${paced.body.id}`, { cookie: admin });
    expect(listed.body.warnings).toEqual(paced.body.warnings);

    // Speeding an accepted dialer up is refused the same way.
    const patched = await api(platform.url, 'PATCH', `/api/dialers/${paced.body.id}`, { cookie: admin, body: { timeBetweenMessagesMs: 1000 } });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details).toEqual([{ path: 'timeBetweenMessagesMs', message: expect.any(String) }]);
  });
});
