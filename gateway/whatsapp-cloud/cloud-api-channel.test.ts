import { randomUUID } from 'node:crypto';
import { recordingChannelDeps } from '../../test/harness/channel-deps.ts';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPresence, conversations, messages } from '../../db/schema/index.ts';
import { queueOutboundMessage } from '../../conversations/queue-outbound-message.ts';
import { inTransaction } from '../../kernel/unit-of-work.ts';
import { buildCampaign, buildUser, TEST_PASSWORD } from '../../test/harness/factories.ts';
import { api, eventually, login, startTestPlatform, type TestPlatform } from '../../test/harness/test-platform.ts';
import { createCloudApiChannel } from './cloud-api-channel.ts';
import { createCloudApiChannelRow, metaCall, metaEnvelope, PHONE_NUMBER_ID, VERIFY_TOKEN } from './testing/cloud-api-fixture.ts';
import { fakeGraphApi } from './testing/fake-graph-api.ts';

let platform: TestPlatform;
let graph: ReturnType<typeof fakeGraphApi>;
beforeAll(async () => {
  platform = await startTestPlatform();
  graph = fakeGraphApi();
});
afterAll(async () => {
  graph.close();
  await platform.close();
});

const deps = recordingChannelDeps({ webhookUrl: () => null });
const post = (channelId: number, call: { headers: Record<string, string>; body: string }) =>
  fetch(`${platform.url}/webhooks/${channelId}`, { method: 'POST', headers: call.headers, body: call.body });

/** A customer writes to a new Cloud API channel whose campaign has one available agent; it is assigned. */
async function conversationWithAgent(customer: string) {
  const { db } = platform.services;
  const row = await createCloudApiChannelRow(db);
  const agent = await buildUser(db, { role: 'agent' });
  await db.insert(agentPresence).values({ userId: agent.id, state: 'available' });
  await buildCampaign(db, { channelIds: [row.id], memberIds: [agent.id], greetingMessage: null });
  const inbound = metaCall(
    metaEnvelope({
      messages: [{ from: customer, id: `wamid.${randomUUID()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'hola' } }],
    }),
  );
  expect((await post(row.id, inbound)).status).toBe(200);
  const conversation = await eventually(async () => {
    const [found] = await db.select().from(conversations).where(eq(conversations.channelId, row.id));
    expect(found?.status).toBe('assigned');
    return found!;
  });
  return { conversation, cookie: await login(platform.url, agent.username, TEST_PASSWORD) };
}

describe('WhatsApp Cloud API channel', () => {
  it("answers Meta's subscription check only with the right verify token", async () => {
    const row = await createCloudApiChannelRow(platform.services.db);
    const check = (query: string) => fetch(`${platform.url}/webhooks/${row.id}?${query}`);
    const ok = await check(`hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
    expect((await check('hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1')).status).toBe(403);
    expect((await check('')).status).toBe(404);
  });

  it('checks the signature over the exact bytes received', async () => {
    const row = await createCloudApiChannelRow(platform.services.db);
    const signed = metaCall(metaEnvelope({ statuses: [] }));
    const reformatted = { ...signed, body: JSON.stringify(JSON.parse(signed.body), null, 2) };
    expect((await post(row.id, reformatted)).status).toBe(403);
    expect((await post(row.id, signed)).status).toBe(200);
  });

  it('normalizes replies to buttons and lists, media with captions, and locations', () => {
    const row = {
      id: 1,
      type: 'whatsapp_cloud',
      defaultCountry: 'US',
      address: '+15550783881',
      settings: { phoneNumberId: PHONE_NUMBER_ID },
      secrets: { accessToken: 'x'.repeat(24), appSecret: 'y'.repeat(16), verifyToken: 'z'.repeat(8) },
    };
    const channel = createCloudApiChannel(row as never, deps);
    const base = { from: '5491123456789', timestamp: '1732400000' };
    const { messages: normalized } = channel.normalize({
      url: '',
      method: 'POST',
      headers: {},
      query: {},
      rawBody: Buffer.alloc(0),
      body: metaEnvelope({
        messages: [
          { ...base, id: 'wamid.1', type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'track', title: 'Track my order' } } },
          {
            ...base,
            id: 'wamid.2',
            type: 'interactive',
            interactive: { type: 'list_reply', list_reply: { id: 'hours', title: 'Opening hours', description: 'When we are open' } },
          },
          { ...base, id: 'wamid.3', type: 'image', image: { id: '1479537139650973', mime_type: 'image/jpeg', caption: 'the broken box' } },
          { ...base, id: 'wamid.4', type: 'location', location: { latitude: -34.9, longitude: -56.16, name: 'Shop', address: 'Av. 18 de Julio' } },
        ],
      }),
    });
    expect(normalized.map((m) => [m.text, m.metadata?.replyId ?? null])).toEqual([
      ['Track my order', 'track'],
      ['Opening hours', 'hours'],
      ['the broken box', null],
      ['Shop · Av. 18 de Julio · -34.9,-56.16', null],
    ]);
    expect(normalized[2]!.media).toEqual([
      { url: 'whatsapp-media:1479537139650973', contentType: 'image/jpeg', caption: 'the broken box', fileName: undefined },
    ]);
    expect(normalized[0]).toMatchObject({ from: '+5491123456789', timestamp: new Date(1732400000 * 1000) });
  });

  it('turns a failed status into a failed message with Meta’s code, title and details', () => {
    const row = {
      id: 1,
      type: 'whatsapp_cloud',
      defaultCountry: 'US',
      address: null,
      settings: { phoneNumberId: PHONE_NUMBER_ID },
      secrets: { accessToken: 'x'.repeat(24), appSecret: 'y'.repeat(16), verifyToken: 'z'.repeat(8) },
    };
    const channel = createCloudApiChannel(row as never, deps);
    const { statuses } = channel.normalize({
      url: '',
      method: 'POST',
      headers: {},
      query: {},
      rawBody: Buffer.alloc(0),
      body: metaEnvelope({
        statuses: [
          {
            id: 'wamid.9',
            status: 'failed',
            timestamp: '1732400000',
            recipient_id: '5491123456789',
            errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'Receiver is incapable of receiving this message' } }],
          },
        ],
      }),
    });
    expect(statuses).toEqual([
      {
        providerMessageId: 'wamid.9',
        status: 'failed',
        errorCode: '131026',
        errorMessage: 'Message undeliverable: Receiver is incapable of receiving this message',
        at: new Date(1732400000 * 1000),
      },
    ]);
  });

  it('refuses a free-form reply outside the 24-hour window up front, and sends inside it', async () => {
    const { db } = platform.services;
    const { conversation, cookie } = await conversationWithAgent('5491100001111');
    const inside = await api(platform.url, 'POST', `/api/conversations/${conversation.id}/messages`, { cookie, body: { body: 'Hi!' } });
    expect(inside.status).toBe(201);

    await db
      .update(conversations)
      .set({ lastContactMessageAt: new Date(Date.now() - 25 * 3600_000) })
      .where(eq(conversations.id, conversation.id));
    const outside = await api(platform.url, 'POST', `/api/conversations/${conversation.id}/messages`, { cookie, body: { body: 'Still there?' } });
    expect(outside.status).toBe(409);
    expect(outside.body.error).toMatchObject({ code: 'outside_service_window', message: expect.stringContaining('template') });
    const stored = await db.select().from(messages).where(eq(messages.conversationId, conversation.id));
    expect(stored.map((m) => m.body)).not.toContain('Still there?');
  });

  it('sends with the bearer token to the phone number id, and backs off on the 130429 rate limit', async () => {
    const { db } = platform.services;
    const row = await createCloudApiChannelRow(db);
    const inbound = metaCall(
      metaEnvelope({
        messages: [
          { from: '5491100002222', id: `wamid.${randomUUID()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'hola' } },
        ],
      }),
    );
    await post(row.id, inbound);
    const conversation = await eventually(async () => {
      const [found] = await db.select().from(conversations).where(eq(conversations.channelId, row.id));
      expect(found).toBeDefined();
      return found!;
    });
    // The send worker meets Meta's throughput limit first, then retries through pg-boss with backoff.
    graph.failNext({ status: 400, code: 130429, message: 'Rate limit hit', details: 'Cloud API message throughput has been reached.' });
    const queued = await inTransaction(platform.services, (uow) => queueOutboundMessage(uow, { conversation, authorType: 'bot', body: 'Thanks!' }));
    const delivered = graph.nextSend();
    const sent = await delivered;
    expect(sent).toMatchObject({ phoneNumberId: PHONE_NUMBER_ID, version: 'v23.0', authorization: 'Bearer EAAG-test-access-token-0123456789' });
    expect(sent.payload).toMatchObject({ messaging_product: 'whatsapp', to: '5491100002222', type: 'text', text: { body: 'Thanks!' } });
    await eventually(async () => {
      const message = await db.query.messages.findFirst({ where: eq(messages.id, queued.id) });
      expect(message).toMatchObject({ status: 'sent', providerMessageId: sent.wamid, errorCode: null });
    });
    // The first attempt met the rate limit and was retried, not stored as failed.
    expect(graph.sends.filter((s) => s.payload.text?.body === 'Thanks!')).toHaveLength(2);
  });

  it("shows Meta's typing indicator on the customer's last message before a reply with a typing delay", async () => {
    const { db } = platform.services;
    const row = await createCloudApiChannelRow(db);
    const wamid = `wamid.${randomUUID()}`;
    await post(
      row.id,
      metaCall(
        metaEnvelope({
          messages: [{ from: '5491100004444', id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'are you there?' } }],
        }),
      ),
    );
    const conversation = await eventually(async () => {
      const [found] = await db.select().from(conversations).where(eq(conversations.channelId, row.id));
      expect(found).toBeDefined();
      return found!;
    });
    const delivered = graph.nextSend();
    await inTransaction(platform.services, (uow) =>
      queueOutboundMessage(uow, { conversation, authorType: 'bot', body: 'Yes, one moment', typingDelayMs: 300 }),
    );
    const sent = await delivered;
    const sentAt = Date.now();
    expect(sent.payload).toMatchObject({ to: '5491100004444', text: { body: 'Yes, one moment' } });
    const read = graph.reads.find((call) => call.payload.message_id === wamid);
    expect(read?.payload).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: wamid, typing_indicator: { type: 'text' } });
    expect(read).toMatchObject({ phoneNumberId: PHONE_NUMBER_ID, authorization: 'Bearer EAAG-test-access-token-0123456789' });
    expect(sentAt - read!.at).toBeGreaterThanOrEqual(280); // the delay ran between the two (timers may fire a hair early)
  });

  it('sends nothing for typing without a received message to answer', async () => {
    const row = {
      id: 1,
      type: 'whatsapp_cloud',
      defaultCountry: 'US',
      address: '+15550783881',
      settings: { phoneNumberId: PHONE_NUMBER_ID },
      secrets: { accessToken: 'x'.repeat(24), appSecret: 'y'.repeat(16), verifyToken: 'z'.repeat(8) },
    };
    const before = graph.reads.length;
    await createCloudApiChannel(row as never, deps).typing!('+5491100005555', {});
    expect(graph.reads).toHaveLength(before);
  });

  it('sends an approved template after the 24-hour window, and reply buttons and lists inside it', async () => {
    const { db } = platform.services;
    const { conversation, cookie } = await conversationWithAgent('5491100003333');
    const reply = (body: object) => api(platform.url, 'POST', `/api/conversations/${conversation.id}/messages`, { cookie, body });
    const sentPayload = async (text: string) => {
      const send = await eventually(async () => {
        const found = graph.sends.find((s) => JSON.stringify(s.payload).includes(text));
        expect(found).toBeDefined();
        return found!;
      });
      return send.payload;
    };

    const buttons = {
      type: 'buttons',
      buttons: [
        { id: 'track', title: 'Track my order' },
        { id: 'agent', title: 'Talk to a person' },
      ],
      footer: 'Tap an option',
    };
    const withButtons = await reply({ body: 'What do you need?', content: buttons });
    expect(withButtons.status).toBe(201);
    expect(withButtons.body.content).toEqual(buttons);
    expect(await sentPayload('What do you need?')).toMatchObject({
      to: '5491100003333',
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'What do you need?' },
        footer: { text: 'Tap an option' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'track', title: 'Track my order' } },
            { type: 'reply', reply: { id: 'agent', title: 'Talk to a person' } },
          ],
        },
      },
    });
    const list = {
      type: 'list',
      button: 'Options',
      sections: [{ title: 'Orders', rows: [{ id: 'status', title: 'Order status', description: 'Where is my order' }] }],
    };
    expect((await reply({ body: 'Choose from the menu', content: list })).status).toBe(201);
    expect(await sentPayload('Choose from the menu')).toMatchObject({
      type: 'interactive',
      interactive: { type: 'list', body: { text: 'Choose from the menu' }, action: { button: 'Options', sections: list.sections } },
    });

    const tooMany = await reply({ body: 'x', content: { type: 'buttons', buttons: ['a', 'b', 'c', 'd'].map((id) => ({ id, title: id })) } });
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body.error)).toContain('content.buttons');

    // After the window: buttons are free-form too and refused; an approved template reopens.
    await db
      .update(conversations)
      .set({ lastContactMessageAt: new Date(Date.now() - 25 * 3600_000) })
      .where(eq(conversations.id, conversation.id));
    expect((await reply({ body: 'Still there?', content: buttons })).status).toBe(409);
    const template = { type: 'template', name: 'order_update', language: 'es_AR', bodyParameters: ['Ana', '#1234'] };
    const reopened = await reply({ body: 'Hola Ana, tu pedido #1234 está en camino', content: template });
    expect(reopened.status).toBe(201);
    expect(await sentPayload('order_update')).toMatchObject({
      to: '5491100003333',
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'es_AR' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'text', text: '#1234' },
            ],
          },
        ],
      },
    });
    await eventually(async () => {
      const stored = await db.query.messages.findFirst({ where: eq(messages.id, reopened.body.id) });
      expect(stored).toMatchObject({ status: 'sent', body: 'Hola Ana, tu pedido #1234 está en camino', content: template });
    });
  });
});
