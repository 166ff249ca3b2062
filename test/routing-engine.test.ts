import { and, asc, eq, sql } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationSummary } from '../contract/conversations.ts';
import type { AgentChatMessage, CampaignMonitor, Offer } from '../contract/routing.ts';
import {
  agentPresence,
  agentPresenceLog,
  auditLog,
  breaks,
  contactAddresses,
  contacts,
  conversationAssignments,
  conversations,
  messages,
  type CampaignStrategy,
} from '../db/schema/index.ts';
import { requestAssignment, queueConversation, UNLOCKED_MARGIN } from '../routing/queue-conversation.ts';
import { conversationEvents } from '../conversations/conversation-events.ts';
import { QUEUES, type QueueName } from '../kernel/queues.ts';
import { inTransaction } from '../kernel/unit-of-work.ts';
import { buildCampaign, buildSimulatorChannel, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { api, connectClient, eventually, login, nextEvent, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
const sockets: Socket[] = [];

beforeAll(async () => {
  // A grace period no test step outlasts by accident, however busy the machine: tests that need it
  // over pass its deadline by hand (passDeadline).
  platform = await startTestPlatform({ PRESENCE_GRACE_SECONDS: '600' });
  await platform.services.db
    .insert(breaks)
    .values([{ name: 'Lunch' }])
    .onConflictDoNothing();
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await platform.close();
});

type Person = { id: number; displayName: string; cookie: string; socket: Socket };

/** A user logged in with a live console socket; agents are made available through the API. */
async function person(role: 'agent' | 'supervisor' | 'admin', displayName: string, available = role === 'agent'): Promise<Person> {
  const user = await buildUser(platform.services.db, { role, displayName });
  const cookie = await login(platform.url, user.username, TEST_PASSWORD);
  const socket = await connectClient(platform.url, { cookie });
  sockets.push(socket);
  if (available) expect((await api(platform.url, 'PUT', '/api/presence', { cookie, body: { state: 'available' } })).status).toBe(200);
  return { id: user.id, displayName, cookie, socket };
}

async function campaignFor(
  members: Person[],
  overrides: {
    strategy?: CampaignStrategy;
    maxInteractionsPerAgent?: number;
    agentAnswerTimeoutSeconds?: number;
    chatTimeSeconds?: number;
    acdMaxWaiting?: number;
    acdFullAction?: 'close' | 'stay_with_bot';
  } = {},
) {
  const channel = await buildSimulatorChannel(platform.services.db);
  const campaign = await buildCampaign(platform.services.db, { channelIds: [channel.id], memberIds: members.map((member) => member.id), ...overrides });
  return { channel, campaign };
}

/** A customer conversation in `status` (queued ones enter the queue now and routing is asked to look). */
async function customer(channelId: number, campaignId: number, status: 'bot' | 'queued' = 'queued') {
  const { db } = platform.services;
  const [contact] = await db.insert(contacts).values({ name: 'Customer' }).returning();
  const [address] = await db
    .insert(contactAddresses)
    .values({ contactId: contact!.id, channelId, address: `+5989${String(Math.random()).slice(2, 9)}` })
    .returning();
  const [row] = await db
    .insert(conversations)
    .values({ channelId, contactId: contact!.id, contactAddressId: address!.id, campaignId, status, queuedAt: status === 'queued' ? new Date() : null })
    .returning();
  if (status === 'queued') {
    // As a handoff does: routing is asked to look, and supervisors are told (their monitors follow).
    await inTransaction(platform.services, async (uow) => {
      await requestAssignment(uow, campaignId);
      uow.emit(...(await conversationEvents(uow.tx, [row!.id])));
    });
  }
  return row!;
}

const conversation = (id: number) => platform.services.db.query.conversations.findFirst({ where: eq(conversations.id, id) });
const history = (id: number) =>
  platform.services.db.select().from(conversationAssignments).where(eq(conversationAssignments.conversationId, id)).orderBy(asc(conversationAssignments.id));
const audits = (action: string, targetId: number) =>
  platform.services.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.targetId, String(targetId))));
const presence = (userId: number) => platform.services.db.query.agentPresence.findFirst({ where: eq(agentPresence.userId, userId) });

/**
 * A timer's deadline passes now: its delayed job (the one whose data has `key` = `id`) becomes due at
 * once. Deadlines here are long and passed by hand, so a test step never races a timer on a busy
 * machine (a 1-second answer timer once fired before the agent's reply could reach the server).
 */
async function passDeadline(queue: QueueName, key: string, id: number) {
  const due = await platform.services.db.execute(sql`
    update pgboss.job set start_after = now() where name = ${queue} and state = 'created' and (data->>${key})::bigint = ${id} returning id`);
  expect(due, `a pending ${queue} job with ${key} ${id}`).toHaveLength(1);
}

/** Waits until the workers have run `n` jobs of `queue` whose data has `key` = `id`. */
const timersRun = (queue: QueueName, key: string, id: number, n: number) =>
  eventually(async () => {
    const [row] = (await platform.services.db.execute(sql`
      select count(*)::int as n from pgboss.job where name = ${queue} and state = 'completed' and (data->>${key})::bigint = ${id}`)) as unknown as {
      n: number;
    }[];
    expect(row!.n).toBe(n);
  }, 60_000);

describe('offer to all', () => {
  it('offers a waiting customer to every available member; the first to accept takes it and it vanishes for the others', async () => {
    const agents = [await person('agent', 'Ana'), await person('agent', 'Bea'), await person('agent', 'Caro')];
    const { channel, campaign } = await campaignFor(agents, { strategy: 'offer_all' });
    const offered = agents.map((agent) => nextEvent<Offer>(agent.socket, 'offer.created'));
    const waiting = await customer(channel.id, campaign.id);
    for (const offer of await Promise.all(offered)) expect(offer).toMatchObject({ conversationId: waiting.id, campaign: { id: campaign.id } });
    expect((await api(platform.url, 'GET', '/api/offers', { cookie: agents[1]!.cookie })).body.offers).toHaveLength(1);

    const withdrawn = agents.map((agent) =>
      nextEvent(agent.socket, 'offer.withdrawn', (payload: { conversationId: number }) => payload.conversationId === waiting.id),
    );
    // All three accept at the same instant: exactly one wins.
    const answers = await Promise.all(agents.map((agent) => api(platform.url, 'POST', `/api/offers/${waiting.id}/accept`, { cookie: agent.cookie })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409]);
    const winner = agents[answers.findIndex((answer) => answer.status === 200)]!;
    expect(answers.filter((answer) => answer.status === 409).map((answer) => answer.body.error.code)).toEqual(['offer_gone', 'offer_gone']);
    await Promise.all(withdrawn);
    expect(await conversation(waiting.id)).toMatchObject({ status: 'assigned', assignedUserId: winner.id });
    expect((await history(waiting.id)).map((row) => [row.userId, row.via])).toEqual([[winner.id, 'offer']]);
    for (const agent of agents) expect((await api(platform.url, 'GET', '/api/offers', { cookie: agent.cookie })).body.offers).toEqual([]);
  });

  it('withdraws the offers of an agent who goes on a break', async () => {
    const [ana, bea] = [await person('agent', 'Ana'), await person('agent', 'Bea')];
    const { channel, campaign } = await campaignFor([ana, bea], { strategy: 'offer_all' });
    const offered = nextEvent<Offer>(bea.socket, 'offer.created');
    const waiting = await customer(channel.id, campaign.id);
    await offered;
    const gone = nextEvent(bea.socket, 'offer.withdrawn', (payload: { conversationId: number }) => payload.conversationId === waiting.id);
    await api(platform.url, 'PUT', '/api/presence', { cookie: bea.cookie, body: { state: 'break', breakName: 'Lunch' } });
    await gone;
    expect((await api(platform.url, 'POST', `/api/offers/${waiting.id}/accept`, { cookie: bea.cookie })).status).toBe(409);
    expect((await api(platform.url, 'POST', `/api/offers/${waiting.id}/accept`, { cookie: ana.cookie })).status).toBe(200);
  });
});

describe('timers', () => {
  it('a conversation the agent does not answer in time goes back to the queue and to another agent', async () => {
    const [ana, bea] = [await person('agent', 'Ana'), await person('agent', 'Bea')];
    // An hour to answer, each deadline passed by hand: Bea's reply cannot lose a race with her own timer.
    const { channel, campaign } = await campaignFor([ana, bea], { strategy: 'linear', maxInteractionsPerAgent: 1, agentAnswerTimeoutSeconds: 3600 });
    const waiting = await customer(channel.id, campaign.id);
    const holders = async (expected: [number, string | null][]) => {
      const rows = await history(waiting.id);
      expect(rows.map((row) => [row.userId, row.releaseReason])).toEqual(expected);
      return rows;
    };
    const [toAna] = await eventually(() => holders([[ana.id, null]]));
    // Ana says nothing in her answer time: the conversation goes to Bea.
    await passDeadline(QUEUES.routingAnswerTimeout, 'assignmentId', toAna!.id);
    const [, toBea] = await eventually(
      () =>
        holders([
          [ana.id, 'answer_timeout'],
          [bea.id, null],
        ]),
      60_000,
    );
    expect(await conversation(waiting.id)).toMatchObject({ status: 'assigned', assignedUserId: bea.id, requeuedFromUserId: ana.id });
    // Bea answers in time: nothing moves when her answer time is over.
    expect((await api(platform.url, 'POST', `/api/conversations/${waiting.id}/messages`, { cookie: bea.cookie, body: { body: 'Hello!' } })).status).toBe(201);
    await passDeadline(QUEUES.routingAnswerTimeout, 'assignmentId', toBea!.id);
    await timersRun(QUEUES.routingAnswerTimeout, 'conversationId', waiting.id, 2);
    expect(await conversation(waiting.id)).toMatchObject({ status: 'assigned', assignedUserId: bea.id });
    await holders([
      [ana.id, 'answer_timeout'],
      [bea.id, null],
    ]);
  });

  it('flags a chat past the campaign chat time to the agent and the supervisors', async () => {
    const ana = await person('agent', 'Ana');
    const supervisor = await person('supervisor', 'Sofía');
    // The default chat time (a quarter of an hour), passed by hand once Ana has the chat.
    const { channel, campaign } = await campaignFor([ana]);
    const supervisorSocket = await connectClient(platform.url, { cookie: supervisor.cookie });
    sockets.push(supervisorSocket);
    const flaggedForAgent = nextEvent(ana.socket, 'conversation.flagged');
    const flaggedForSupervisor = nextEvent(supervisorSocket, 'conversation.flagged');
    const waiting = await customer(channel.id, campaign.id);
    await eventually(async () => expect(await conversation(waiting.id)).toMatchObject({ status: 'assigned', assignedUserId: ana.id }));
    await passDeadline(QUEUES.routingChatTime, 'conversationId', waiting.id);
    expect(await flaggedForAgent).toEqual({ conversationId: waiting.id, flag: 'chat_time' });
    expect(await flaggedForSupervisor).toEqual({ conversationId: waiting.id, flag: 'chat_time' });
    const detail = await api<ConversationSummary>(platform.url, 'GET', `/api/conversations/${waiting.id}`, { cookie: ana.cookie });
    expect(detail.body.chatTimeExceededAt).not.toBeNull();
  });

  it('an agent whose console stays away past the grace period goes offline and their chats go back to the queue', async () => {
    const ana = await person('agent', 'Ana');
    const { channel, campaign } = await campaignFor([ana]);
    const waiting = await customer(channel.id, campaign.id);
    await eventually(async () => expect(await conversation(waiting.id)).toMatchObject({ status: 'assigned', assignedUserId: ana.id }));
    ana.socket.close();
    // Once the server has started the grace period, it runs out with Ana still away.
    await eventually(async () => expect((await presence(ana.id))?.disconnectedAt).toBeTruthy());
    await passDeadline(QUEUES.routingPresenceGrace, 'userId', ana.id);
    await eventually(async () => expect(await presence(ana.id)).toMatchObject({ state: 'offline' }));
    const [log] = await platform.services.db.select().from(agentPresenceLog).where(eq(agentPresenceLog.userId, ana.id)).orderBy(sql`id desc`).limit(1);
    expect(log).toMatchObject({ state: 'offline', reason: 'disconnected', changedByUserId: null });
    expect(await conversation(waiting.id)).toMatchObject({ status: 'queued', requeuedFromUserId: ana.id });
  });

  it('a reload within the grace period changes nothing', async () => {
    const bea = await person('agent', 'Bea');
    bea.socket.close();
    // Once the server has started the grace period (a reconnect before that starts none), come back.
    await eventually(async () => expect((await presence(bea.id))?.disconnectedAt).toBeTruthy());
    const again = await connectClient(platform.url, { cookie: bea.cookie });
    sockets.push(again);
    // Then the grace period runs out (the server marked her connected before it said ready): still available.
    await passDeadline(QUEUES.routingPresenceGrace, 'userId', bea.id);
    await timersRun(QUEUES.routingPresenceGrace, 'userId', bea.id, 1);
    expect(await presence(bea.id)).toMatchObject({ state: 'available' });
  });
});

describe('supervisor actions', () => {
  it('pauses an agent, watches the monitor follow, and logs the agent out: chats back to the queue, session ended, all audited', async () => {
    const ana = await person('agent', 'Ana');
    const { channel, campaign } = await campaignFor([ana], { maxInteractionsPerAgent: 2 });
    const supervisor = await person('supervisor', 'Sofía');
    const waiting = await customer(channel.id, campaign.id);
    await eventually(async () => expect(await conversation(waiting.id)).toMatchObject({ status: 'assigned' }));

    const paused = nextEvent(ana.socket, 'presence.updated', (presence: { state: string }) => presence.state === 'break');
    const monitored = nextEvent<{ userId: number; status: string }[]>(supervisor.socket, 'monitor.agents', (agents) =>
      agents.some((agent) => agent.userId === ana.id && agent.status === 'busy_on_break'),
    );
    const pause = await api(platform.url, 'PUT', `/api/agents/${ana.id}/presence`, { cookie: supervisor.cookie, body: { state: 'break', breakName: 'Lunch' } });
    expect(pause.status).toBe(200);
    await paused;
    await monitored;
    // On a break the agent keeps the chat (busy on break); nothing new is assigned.
    expect(await conversation(waiting.id)).toMatchObject({ status: 'assigned', assignedUserId: ana.id });
    expect(await audits('agent.paused', ana.id)).toHaveLength(1);

    const disconnected = new Promise((resolve) => ana.socket.once('disconnect', resolve));
    expect((await api(platform.url, 'POST', `/api/agents/${ana.id}/logout`, { cookie: supervisor.cookie })).status).toBe(204);
    await disconnected;
    expect((await api(platform.url, 'GET', '/api/me', { cookie: ana.cookie })).status).toBe(401);
    expect(await conversation(waiting.id)).toMatchObject({ status: 'queued', requeuedFromUserId: ana.id });
    expect(await audits('agent.logged_out', ana.id)).toHaveLength(1);
    const monitor = await api(platform.url, 'GET', '/api/monitor', { cookie: supervisor.cookie });
    expect(monitor.body.campaigns.find((item: CampaignMonitor) => item.campaignId === campaign.id)).toMatchObject({ waiting: 1, active: 0 });
    expect(monitor.body.agents.find((agent: { userId: number }) => agent.userId === ana.id)).toMatchObject({ status: 'offline' });
  });

  it('spies on a conversation (supervisors only, audited)', async () => {
    const ana = await person('agent', 'Ana');
    const supervisor = await person('supervisor', 'Sofía');
    const { channel, campaign } = await campaignFor([ana]);
    const waiting = await customer(channel.id, campaign.id);
    const spied = await api(platform.url, 'POST', `/api/conversations/${waiting.id}/spy`, { cookie: supervisor.cookie });
    expect(spied.status).toBe(200);
    expect(spied.body).toMatchObject({ id: waiting.id, messages: [] });
    expect(await audits('conversation.spied', waiting.id)).toHaveLength(1);
    expect((await api(platform.url, 'POST', `/api/conversations/${waiting.id}/spy`, { cookie: ana.cookie })).status).toBe(403);
  });

  it('chats with an agent: both consoles get it live; agents cannot chat among themselves', async () => {
    const [ana, bea] = [await person('agent', 'Ana'), await person('agent', 'Bea')];
    const supervisor = await person('supervisor', 'Sofía');
    const arrived = nextEvent<AgentChatMessage>(ana.socket, 'agent-chat.message');
    const sent = await api(platform.url, 'POST', `/api/agent-chat/${ana.id}`, {
      cookie: supervisor.cookie,
      body: { body: 'Please check the customer on hold' },
    });
    expect(sent.status).toBe(201);
    expect(await arrived).toMatchObject({ fromUserId: supervisor.id, fromName: 'Sofía', toUserId: ana.id, body: 'Please check the customer on hold' });
    expect((await api(platform.url, 'POST', `/api/agent-chat/${supervisor.id}`, { cookie: ana.cookie, body: { body: 'On it' } })).status).toBe(201);
    const threads = await api(platform.url, 'GET', '/api/agent-chat', { cookie: supervisor.cookie });
    expect(threads.body.threads).toEqual([expect.objectContaining({ userId: ana.id, displayName: 'Ana', lastMessage: 'On it', unread: 1 })]);
    const thread = await api(platform.url, 'GET', `/api/agent-chat/${supervisor.id}`, { cookie: ana.cookie });
    expect(thread.body.messages.map((message: AgentChatMessage) => message.body)).toEqual(['Please check the customer on hold', 'On it']);
    expect((await api(platform.url, 'POST', `/api/agent-chat/${bea.id}`, { cookie: ana.cookie, body: { body: 'psst' } })).status).toBe(404);
  });
});

describe('transfers', () => {
  it('to another agent with a note, never past their limit; to another campaign keeping the place in line', async () => {
    const [ana, bea, caro] = [await person('agent', 'Ana'), await person('agent', 'Bea'), await person('agent', 'Caro')];
    const { channel, campaign } = await campaignFor([ana, bea, caro], { strategy: 'linear', maxInteractionsPerAgent: 1 });
    const { campaign: billing } = await campaignFor([]);
    const first = await customer(channel.id, campaign.id);
    const second = await customer(channel.id, campaign.id);
    await eventually(async () => {
      expect(await conversation(first.id)).toMatchObject({ status: 'assigned', assignedUserId: ana.id });
      expect(await conversation(second.id)).toMatchObject({ status: 'assigned', assignedUserId: bea.id });
    });
    // Bea is at her limit: refused.
    const refused = await api(platform.url, 'POST', `/api/conversations/${first.id}/transfer`, { cookie: ana.cookie, body: { toUserId: bea.id } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/Bea already has 1 conversation/);
    const leaving = nextEvent<ConversationSummary>(
      ana.socket,
      'conversation.upserted',
      (summary) => summary.id === first.id && summary.assignedTo?.id === caro.id,
    );
    const moved = await api(platform.url, 'POST', `/api/conversations/${first.id}/transfer`, {
      cookie: ana.cookie,
      body: { toUserId: caro.id, note: 'Wants a refund' },
    });
    expect(moved.status).toBe(200);
    await leaving;
    expect(await conversation(first.id)).toMatchObject({ assignedUserId: caro.id, handoffNote: 'Ana: Wants a refund' });
    expect((await history(first.id)).map((row) => [row.userId, row.via, row.releaseReason])).toEqual([
      [ana.id, 'routing', 'transferred'],
      [caro.id, 'transfer', null],
    ]);
    const before = await conversation(second.id);
    const toBilling = await api(platform.url, 'POST', `/api/conversations/${second.id}/transfer`, {
      cookie: bea.cookie,
      body: { toCampaignId: billing.id, note: 'Invoice question' },
    });
    expect(toBilling.status).toBe(200);
    expect(await conversation(second.id)).toMatchObject({
      status: 'queued',
      campaignId: billing.id,
      queuedAt: before!.queuedAt,
      handoffNote: 'Bea: Invoice question',
    });
    expect((await api(platform.url, 'POST', `/api/conversations/${second.id}/transfer`, { cookie: bea.cookie, body: { toUserId: ana.id } })).status).toBe(404);
    expect((await api(platform.url, 'POST', `/api/conversations/${first.id}/transfer`, { cookie: caro.cookie, body: {} })).status).toBe(400);
  });
});

describe('queue limits and live figures', () => {
  it('a supervisor already watching starts receiving a campaign created after they connected', async () => {
    const supervisor = await person('supervisor', 'Sofía');
    const admin = await person('admin', 'Root', false);
    const channel = await buildSimulatorChannel(platform.services.db);
    const created = await api(platform.url, 'POST', '/api/campaigns', { cookie: admin.cookie, body: { name: `Late ${channel.id}`, channelIds: [channel.id] } });
    expect(created.status).toBe(201);
    const live = nextEvent<CampaignMonitor>(
      supervisor.socket,
      'monitor.campaign',
      (monitor) => monitor.campaignId === created.body.id && monitor.waiting === 1,
    );
    await customer(channel.id, created.body.id);
    await live;
  });

  it('at the ACD limit a new customer gets the queue-full message and the conversation closes (or stays with the bot)', async () => {
    const { channel, campaign } = await campaignFor([], { acdMaxWaiting: 1 });
    const supervisor = await person('supervisor', 'Sofía');
    const live = nextEvent<CampaignMonitor>(supervisor.socket, 'monitor.campaign', (monitor) => monitor.campaignId === campaign.id && monitor.waiting === 1);
    const handoff = async (id: number) => inTransaction(platform.services, async (uow) => queueConversation(uow, (await conversation(id))!, campaign));
    const [first, second] = [await customer(channel.id, campaign.id, 'bot'), await customer(channel.id, campaign.id, 'bot')];
    expect(await handoff(first.id)).toMatchObject({ status: 'queued' });
    expect(await handoff(second.id)).toMatchObject({ status: 'closed', closeReason: 'queue_full' });
    const [full] = await platform.services.db.select().from(messages).where(eq(messages.conversationId, second.id));
    expect(full).toMatchObject({ body: 'The queue is full', botNode: 'queue_full' });
    expect(await live).toMatchObject({ waiting: 1, onHold: [expect.objectContaining({ conversationId: first.id })] });

    const { channel: other, campaign: patient } = await campaignFor([], { acdMaxWaiting: 0, acdFullAction: 'stay_with_bot' });
    const third = await customer(other.id, patient.id, 'bot');
    expect(await inTransaction(platform.services, async (uow) => queueConversation(uow, (await conversation(third.id))!, patient))).toMatchObject({
      status: 'bot',
    });
  });

  it('lets handoffs far below the ACD limit pass each other without a lock, and near it gives the last place to one of two racing', async () => {
    const racing = async (acdMaxWaiting: number) => {
      const { channel, campaign } = await campaignFor([], { acdMaxWaiting });
      const [first, second] = [await customer(channel.id, campaign.id, 'bot'), await customer(channel.id, campaign.id, 'bot')];
      // The first handoff has counted the queue and stays uncommitted while the second runs.
      let release: () => void = () => {};
      let counted: () => void = () => {};
      const hold = new Promise<void>((resolve) => (release = resolve));
      const firstCounted = new Promise<void>((resolve) => (counted = resolve));
      const firstHandoff = inTransaction(platform.services, async (uow) => {
        const queued = await queueConversation(uow, (await conversation(first.id))!, campaign);
        counted();
        await hold;
        return queued;
      });
      await firstCounted;
      const secondHandoff = inTransaction(platform.services, async (uow) => queueConversation(uow, (await conversation(second.id))!, campaign));
      return { firstHandoff, secondHandoff, release };
    };
    // Far below the limit: the second handoff takes no lock, so it is done while the first still holds its transaction.
    const far = await racing(UNLOCKED_MARGIN + 10);
    expect(await far.secondHandoff).toMatchObject({ status: 'queued' });
    far.release();
    expect(await far.firstHandoff).toMatchObject({ status: 'queued' });
    // At the limit: the second waits for the first's commit, then finds the queue full.
    const near = await racing(1);
    near.release();
    expect(await near.firstHandoff).toMatchObject({ status: 'queued' });
    expect(await near.secondHandoff).toMatchObject({ status: 'closed', closeReason: 'queue_full' });
  });
});
