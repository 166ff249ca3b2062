import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPresence, agentPresenceLog, conversations, messages } from '../db/schema/index.ts';
import type { ConversationSummary, MessageView } from '../contract/conversations.ts';
import type { SimulatorPhone } from '../contract/simulator.ts';
import { buildCampaign, buildSchedule, buildSimulatorChannel, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, connectClient, eventually, login, nextEvent, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';
import { openPhone as openSimulatorPhone } from './harness/simulator-phone.ts';

let platform: TestPlatform;
const sockets: Socket[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await platform.close();
});

/** A customer's phone in the simulator: a token for a number and a live socket for replies. */
const openPhone = (channelId: number, number: string) => openSimulatorPhone(platform.url, channelId, number, sockets);

async function availableAgent() {
  const agent = await buildUser(platform.services.db, { role: 'agent' });
  const cookie = await login(platform.url, agent.username, TEST_PASSWORD);
  const socket = await connectClient(platform.url, { cookie });
  sockets.push(socket);
  expect((await api(platform.url, 'PUT', '/api/presence', { cookie, body: { state: 'available' } })).status).toBe(200);
  return { agent, cookie, socket };
}

describe('a whole conversation through the simulator', () => {
  it('bot greets and hands off, the agent gets it live, replies reach the phone, the agent closes', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const { agent, cookie, socket: agentSocket } = await availableAgent();
    const campaign = await buildCampaign(db, { channelIds: [channel.id], memberIds: [agent.id], greetingMessage: 'Welcome to Support!' });
    const customer = await openPhone(channel.id, '099 111 222');
    expect(customer.phone.number).toBe('+59899111222');

    const greeting = nextEvent<{ text: string }>(customer.socket, 'message');
    const assigned = nextEvent<ConversationSummary>(agentSocket, 'conversation.upserted', (c) => c.status === 'assigned');
    expect((await customer.send('Hello, I need help')).status).toBe(200);

    expect((await greeting).text).toBe('Welcome to Support!');
    const summary = await assigned;
    expect(summary).toMatchObject({
      campaign: { id: campaign.id, name: campaign.name },
      customer: { address: '+59899111222' },
      assignedTo: { id: agent.id },
    });

    const { body: detail } = await api(platform.url, 'GET', `/api/conversations/${summary.id}`, { cookie });
    expect(detail.messages.map((m: MessageView) => [m.author, m.body])).toEqual([
      ['contact', 'Hello, I need help'],
      ['bot', 'Welcome to Support!'],
    ]);
    expect(detail.messages[1].botNode).toBe('greeting');

    const reply = nextEvent<{ id: string; text: string }>(customer.socket, 'message', (m) => m.text === 'Hi, I am here to help');
    const sent = await api<MessageView>(platform.url, 'POST', `/api/conversations/${summary.id}/messages`, {
      cookie,
      body: { body: 'Hi, I am here to help' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ author: `agent:${agent.id}`, status: 'queued' });
    const received = await reply;

    // The phone's delivery receipt moves the message on, and the agent sees it live.
    const delivered = nextEvent<MessageView>(agentSocket, 'message.updated', (m) => m.id === sent.body.id && m.status === 'delivered');
    await api(platform.url, 'POST', `/webhooks/${channel.id}`, {
      headers: { 'x-simulator-token': customer.phone.token },
      body: { type: 'status', providerMessageId: received.id, status: 'delivered' },
    });
    await delivered;

    const closed = await api<ConversationSummary>(platform.url, 'POST', `/api/conversations/${summary.id}/close`, { cookie });
    expect(closed.body).toMatchObject({ status: 'closed', closeReason: 'agent_closed' });
    const row = await db.query.conversations.findFirst({ where: eq(conversations.id, summary.id) });
    expect(row?.firstAgentReplyAt).not.toBeNull();
    expect(row?.closedByUserId).toBe(agent.id);

    // Writing again opens a new conversation (the old one is closed).
    const second = nextEvent<ConversationSummary>(agentSocket, 'conversation.upserted', (c) => c.status === 'assigned' && c.id !== summary.id);
    await customer.send('One more thing');
    expect((await second).customer.address).toBe('+59899111222');
  });

  it('an agent who logs out goes offline and is offered nothing more', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const { agent, cookie } = await availableAgent();
    await buildCampaign(db, { channelIds: [channel.id], memberIds: [agent.id] });
    expect((await api(platform.url, 'POST', '/api/auth/logout', { cookie })).status).toBe(204);
    const presence = await db.query.agentPresence.findFirst({ where: eq(agentPresence.userId, agent.id) });
    expect(presence?.state).toBe('offline');
    const log = await db.select().from(agentPresenceLog).where(eq(agentPresenceLog.userId, agent.id)).orderBy(agentPresenceLog.id);
    expect(log.map((entry) => [entry.state, entry.reason])).toEqual([
      ['available', null],
      ['offline', 'logout'],
    ]);

    const customer = await openPhone(channel.id, '+59899010101');
    await customer.send('Is anyone there?');
    await eventually(async () => {
      const [conversation] = await db.select().from(conversations).where(eq(conversations.channelId, channel.id));
      expect(conversation).toMatchObject({ status: 'queued', assignedUserId: null });
    });
  });

  it('stores the same simulator message delivered twice once', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    await buildCampaign(db, { channelIds: [channel.id] });
    const customer = await openPhone(channel.id, '+59899333444');
    const id = randomUUID();
    const first = await customer.send('Duplicate me', id);
    const second = await customer.send('Duplicate me', id);
    expect(first.body).toMatchObject({ stored: 1, duplicates: 0 });
    expect(second.body).toMatchObject({ stored: 0, duplicates: 1 });
    await eventually(async () => {
      const rows = await db
        .select()
        .from(messages)
        .where(and(eq(messages.channelId, channel.id), eq(messages.direction, 'inbound')));
      expect(rows).toHaveLength(1);
      expect(rows[0]!.conversationId).not.toBeNull();
      expect(rows[0]).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    });
  });

  it('refuses forged simulator input: a token for another channel, a tampered number, none at all', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const other = await buildSimulatorChannel(db);
    const { body: phone } = await api<SimulatorPhone>(platform.url, 'POST', '/simulator/api/phones', { body: { channelId: other.id, number: '+59899555666' } });
    const [, , signature] = phone.token.split('.');
    const forgedNumber = `${channel.id}.${Buffer.from('+59899000000').toString('base64url')}.${signature}`;
    for (const token of [phone.token, forgedNumber, undefined]) {
      const response = await api(platform.url, 'POST', `/webhooks/${channel.id}`, {
        headers: token ? { 'x-simulator-token': token } : {},
        body: { type: 'message', id: randomUUID(), text: 'let me in' },
      });
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('forbidden');
    }
    await expect(connectClient(platform.url, { namespace: '/simulator', auth: { token: forgedNumber } })).rejects.toThrow('unauthorized');
    expect(await db.select().from(messages).where(eq(messages.channelId, channel.id))).toHaveLength(0);
  });

  it('answers a bad number and a bad payload with a clear 400', async () => {
    const channel = await buildSimulatorChannel(platform.services.db);
    const bad = await api(platform.url, 'POST', '/simulator/api/phones', { body: { channelId: channel.id, number: '12' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]).toMatchObject({ path: 'number', message: expect.stringContaining('not a valid phone number') });
    const { body: phone } = await api<SimulatorPhone>(platform.url, 'POST', '/simulator/api/phones', {
      body: { channelId: channel.id, number: '099 777 888' },
    });
    const empty = await api(platform.url, 'POST', `/webhooks/${channel.id}`, {
      headers: { 'x-simulator-token': phone.token },
      body: { type: 'message', id: randomUUID(), text: '   ' },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toBe('invalid simulator payload');
  });

  it('out of hours: sends the out-of-time message once per conversation and hands nobody the chat', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const { socket: agentSocket, agent } = await availableAgent();
    const closedSchedule = await buildSchedule(db, { open: 'never' });
    await buildCampaign(db, { channelIds: [channel.id], memberIds: [agent.id], scheduleId: closedSchedule.id, outOfTimeMessage: 'Closed for today' });
    const customer = await openPhone(channel.id, '+59899121212');
    const offered: ConversationSummary[] = [];
    agentSocket.on('conversation.upserted', (c: ConversationSummary) => offered.push(c));

    const notice = nextEvent<{ text: string }>(customer.socket, 'message');
    await customer.send('Anyone there?');
    expect((await notice).text).toBe('Closed for today');
    await customer.send('Hello?');
    await customer.send('Please answer');
    await eventually(async () => {
      const rows = await db.select().from(messages).where(eq(messages.channelId, channel.id)).orderBy(messages.id);
      expect(rows.filter((m) => m.direction === 'inbound' && m.conversationId !== null)).toHaveLength(3);
    });
    const rows = await db.select().from(messages).where(eq(messages.channelId, channel.id)).orderBy(messages.id);
    expect(rows.filter((m) => m.authorType === 'bot').map((m) => [m.body, m.botNode, m.encoding, m.segments])).toEqual([
      ['Closed for today', 'out_of_hours', 'GSM-7', 1],
    ]);
    const [conversation] = await db.select().from(conversations).where(eq(conversations.channelId, channel.id));
    expect(conversation).toMatchObject({ status: 'bot', assignedUserId: null });
    expect(offered).toEqual([]);
  });

  it('keeps one customer’s burst of messages in order and in one conversation', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    await buildCampaign(db, { channelIds: [channel.id] });
    const customer = await openPhone(channel.id, '+59899343434');
    const texts = Array.from({ length: 10 }, (_, i) => `message ${i + 1}`);
    for (const text of texts) await customer.send(text);
    await eventually(async () => {
      const rows = await db
        .select()
        .from(messages)
        .where(and(eq(messages.channelId, channel.id), eq(messages.direction, 'inbound')));
      expect(rows.every((row) => row.conversationId !== null)).toBe(true);
    });
    const open = await db.select().from(conversations).where(eq(conversations.channelId, channel.id));
    expect(open).toHaveLength(1);
    const inbound = await db
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, open[0]!.id), eq(messages.direction, 'inbound')))
      .orderBy(messages.id);
    expect(inbound.map((m) => m.body)).toEqual(texts);
  });
});
