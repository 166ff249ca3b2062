import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { CampaignMonitor } from '../contract/routing.ts';
import type { ConversationSummary, MessageView } from '../contract/conversations.ts';
import type { SimulatorMessage } from '../contract/simulator.ts';
import { connectDatabase } from '../db/connection.ts';
import { signPhoneToken } from '../gateway/simulator/phone-token.ts';
import { startPlatformProcess, type PlatformProcess } from './chaos/platform-process.ts';
import { buildBotFlow, buildCampaign, buildSimulatorChannel, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { createTestDatabase } from './harness/test-database.ts';
import { api, connectClient, eventually, login, nextEvent } from './harness/test-platform.ts';

/**
 * Three real processes (`node server/main.ts`) on one database, roles split as a large installation
 * splits them: A and B serve HTTP (each its own socket.io server, joined by the PostgreSQL adapter),
 * C works every queue and holds the session channels, without HTTP (it publishes through the
 * PostgreSQL emitter). A customer writes through A's webhook; the agent's console is on B, the
 * supervisor's on A, the customer's phone page on B. Then C is SIGKILLed while it holds the bot's
 * work, and a replacement finishes every accepted message, once.
 */
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** The shop system the bot looks customers up in: it answers while `answering`, holds requests otherwise. */
async function lookupServer() {
  const state = { answering: true, held: [] as ServerResponse[] };
  const server = createServer((request, response) => {
    request.resume();
    if (!state.answering) return void state.held.push(response);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ answer: 'ok' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const response of state.held) response.destroy();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state };
}

async function node(databaseUrl: string, name: string, roles: string): Promise<PlatformProcess> {
  const started = await startPlatformProcess({ databaseUrl, name, roles });
  cleanups.push(() => started.remove());
  return started;
}

describe('live events and work across nodes with split roles', () => {
  it("an HTTP node's webhook reaches the agent on the other HTTP node live, and a killed workers node loses nothing", async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const { db, close } = connectDatabase(database.url, { max: 2, applicationName: 'omnichat-test' });
    cleanups.push(close);
    const lookup = await lookupServer();
    const channel = await buildSimulatorChannel(db);
    const agent = await buildUser(db, { role: 'agent' });
    const supervisor = await buildUser(db, { role: 'supervisor' });
    const flow = await buildBotFlow(db, {
      start: 'lookup',
      settings: { typingDelayMs: 0, inactivityMinutes: 0 },
      nodes: {
        lookup: {
          type: 'http',
          url: `${lookup.url}/customers/{{contact.address}}`,
          timeoutMs: 30_000,
          map: { answer: 'answer' },
          next: 'found',
          onError: 'failed',
        },
        found: { type: 'message', text: 'looked up: {{answer}}', next: 'agent' },
        failed: { type: 'message', text: 'lookup failed', next: 'agent' },
        agent: { type: 'handoff', text: 'An agent is coming.' },
      },
    });
    const campaign = await buildCampaign(db, { channelIds: [channel.id], memberIds: [agent.id], botFlowId: flow.id });

    const [a, b] = await Promise.all([node(database.url, 'node-a', 'http'), node(database.url, 'node-b', 'http')]);
    let c = await node(database.url, 'node-c', 'workers,session-channels');
    const sockets: Socket[] = [];
    cleanups.push(async () => {
      for (const socket of sockets) socket.close();
    });
    const agentCookie = await login(b.url, agent.username, TEST_PASSWORD);
    const agentOnB = await connectClient(b.url, { cookie: agentCookie });
    const supervisorOnA = await connectClient(a.url, { cookie: await login(a.url, supervisor.username, TEST_PASSWORD) });
    sockets.push(agentOnB, supervisorOnA);
    expect((await api(b.url, 'PUT', '/api/presence', { cookie: agentCookie, body: { state: 'available' } })).status).toBe(200);

    const customer = '+59899123001';
    const token = signPhoneToken(channel.secrets.signingKey!, channel.id, customer);
    const phoneOnB = await connectClient(b.url, { namespace: '/simulator', auth: { token } });
    sockets.push(phoneOnB);
    /** A customer's message, through a node's webhook as the provider sends it. */
    const write = async (via: PlatformProcess, from: string, text: string) => {
      const headers = { 'x-simulator-token': signPhoneToken(channel.secrets.signingKey!, channel.id, from) };
      const response = await api(via.url, 'POST', `/webhooks/${channel.id}`, { headers, body: { type: 'message', id: randomUUID(), text } });
      expect(response.status).toBe(200);
    };

    // 1. Written through A, worked on C, seen live on B (agent, phone) and on A (supervisor).
    const assigned = nextEvent<ConversationSummary>(
      agentOnB,
      'conversation.upserted',
      (s) => s.status === 'assigned' && s.customer.address === customer,
      60_000,
    );
    const answered = nextEvent<SimulatorMessage>(phoneOnB, 'message', (m) => m.text === 'looked up: ok', 60_000);
    const followed = nextEvent<MessageView>(supervisorOnA, 'message.created', (m) => m.body === 'looked up: ok', 60_000);
    const figures = nextEvent<CampaignMonitor>(supervisorOnA, 'monitor.campaign', (m) => m.campaignId === campaign.id && m.active === 1, 60_000);
    await write(a, customer, 'hello');
    const [conversation] = await Promise.all([assigned, answered, followed, figures]);
    expect(conversation).toMatchObject({ assignedTo: { id: agent.id }, campaign: { id: campaign.id } });

    const told = nextEvent<MessageView>(agentOnB, 'message.created', (m) => m.body === 'where is my parcel?');
    await write(a, customer, 'where is my parcel?');
    await told;

    // 2. The agent answers on B: the supervisor on A sees it (B's adapter), the phone on B gets it (sent by C).
    const seen = nextEvent<MessageView>(supervisorOnA, 'message.created', (m) => m.body === 'On its way');
    const delivered = nextEvent<SimulatorMessage>(phoneOnB, 'message', (m) => m.text === 'On its way');
    const reply = await api(b.url, 'POST', `/api/conversations/${conversation.id}/messages`, { cookie: agentCookie, body: { body: 'On its way' } });
    expect(reply.status).toBe(201);
    await Promise.all([seen, delivered]);

    // 3. C dies (SIGKILL) holding the bot's work for new customers, written through both HTTP nodes.
    lookup.state.answering = false;
    const burst = ['+59899123101', '+59899123102', '+59899123103'];
    const lookedUp = new Set<number>();
    supervisorOnA.on('message.created', (m: MessageView) => {
      if (m.body === 'looked up: ok' && m.conversationId !== conversation.id) lookedUp.add(m.conversationId);
    });
    for (const [n, from] of burst.entries()) await write(n % 2 ? b : a, from, 'hi');
    await eventually(() => expect(lookup.state.held.length).toBeGreaterThan(0), 60_000);
    await c.kill();
    lookup.state.answering = true;
    for (const response of lookup.state.held.splice(0)) response.destroy();
    c = await node(database.url, 'node-c2', 'workers,session-channels');

    // Every accepted message is answered once, and the answers reach the supervisor live (from C2).
    await eventually(() => expect(lookedUp.size).toBe(burst.length), 240_000);
    await eventually(async () => {
      const rows = (await db.execute(sql`
          select m.address, count(*) filter (where b.body = 'looked up: ok' and b.status = 'sent')::int as answers,
                 count(*) filter (where b.body = 'lookup failed')::int as failures,
                 count(distinct m.id)::int as inbound
            from messages m
            left join messages b on b.conversation_id = m.conversation_id and b.author_type = 'bot'
           where m.channel_id = ${channel.id} and m.direction = 'inbound' and m.address in ${burst}
           group by m.address order by m.address`)) as unknown as { address: string; answers: number; failures: number; inbound: number }[];
      expect(rows).toEqual(burst.map((address) => ({ address, answers: 1, failures: 0, inbound: 1 })));
    });
    for (const running of [a, b, c]) expect(running.exit(), running.logTail()).toBeNull();
  }, 360_000);
});
