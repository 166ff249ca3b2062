import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPresence, contactAddresses, contacts, conversationAssignments, conversations } from '../db/schema/index.ts';
import { buildCampaign, buildSchedule, buildSimulatorChannel, buildUser } from '../test/harness/factories.ts';
import { startTestPlatform, type TestPlatform } from '../test/harness/test-platform.ts';
import { agentMonitors, campaignMonitors } from './campaign-metrics.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ ROLES: 'http' });
});
afterAll(() => platform.close());

const at = (time: string) => new Date(`2026-11-24T${time}Z`);
const NOW = at('15:00:00'); // 12:00 in Montevideo (UTC-3): "today" there began at 03:00Z.

/**
 * A hand-computed day for one campaign (service level 60 s, churn 120 s), in Montevideo time:
 *
 * | conv | queued   | assigned (agent)            | first reply | end                         | counts as                       |
 * |------|----------|-----------------------------|-------------|-----------------------------|---------------------------------|
 * | c1   | 14:00:00 | 14:00:10 (A)                | 14:00:30    | closed by A 14:10:10        | answered in 30 s, handled 600 s |
 * | c2   | 14:00:00 | 14:01:50 (A) → 14:03:50 (B) | 14:02:00    | closed by B 14:06:50        | answered in 120 s, handled 300 s|
 * | c3   | 14:20:00 | —                           | —           | left (abandoned) 14:25:00   | abandoned (waited 300 s ≥ 120)  |
 * | c4   | 14:30:00 | —                           | —           | opted out 14:31:00          | short abandon (60 s): nowhere   |
 * | c5   | 01:00:00 | 01:00:10 (A)                | 01:00:20    | closed by A 02:50:00        | yesterday locally: nowhere      |
 * | c6   | 14:50:00 | —                           | —           | waiting                     | waiting, longest wait 600 s     |
 * | c7   | 14:40:00 | 14:41:00 (A)                | —           | active, past chat time      | active, over chat time          |
 *
 * Answered 2 (c1, c2), within the service level 1 (c1), abandoned 1 (c3): service level = 1 / (2 + 1) = 33.3 %.
 * ASA = (30 + 120) / 2 = 75 s. Completed 2 (c1, c2); AHT = (600 + 300) / 2 = 450 s (c2 from its first assignment).
 * Agents: A completed 1 (c1; c5 was yesterday), active 1 (c7); B completed 1 (c2), on a break with no chat.
 */
describe('campaign figures on a hand-computed day', () => {
  it('computes each figure with its formula', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const [a, b, c] = [
      await buildUser(db, { displayName: 'Ana' }),
      await buildUser(db, { displayName: 'Bruno' }),
      await buildUser(db, { displayName: 'Carla' }),
    ];
    const schedule = await buildSchedule(db, { timeZone: 'America/Montevideo' });
    const campaign = await buildCampaign(db, {
      channelIds: [channel.id],
      memberIds: [a.id, b.id, c.id],
      scheduleId: schedule.id,
      serviceLevelSeconds: 60,
      churnSeconds: 120,
      maxInteractionsPerAgent: 3,
    });
    await db.insert(agentPresence).values([
      { userId: a.id, state: 'available', since: at('13:00:00') },
      { userId: b.id, state: 'break', breakName: 'Lunch', since: at('14:30:00') },
    ]);

    type Leg = { user: number; from: string; to?: string; reason?: 'closed' | 'transferred' };
    const conversation = async (input: {
      queued: string;
      reply?: string;
      status: 'queued' | 'assigned' | 'closed';
      closed?: string;
      reason?: 'agent_closed' | 'abandoned' | 'opted_out';
      legs?: Leg[];
      overChatTime?: boolean;
    }) => {
      const [contact] = await db.insert(contacts).values({}).returning();
      const [address] = await db
        .insert(contactAddresses)
        .values({ contactId: contact!.id, channelId: channel.id, address: `+5989${String(Math.random()).slice(2, 9)}` })
        .returning();
      const legs = input.legs ?? [];
      const last = legs.at(-1);
      const [row] = await db
        .insert(conversations)
        .values({
          channelId: channel.id,
          contactId: contact!.id,
          contactAddressId: address!.id,
          campaignId: campaign.id,
          status: input.status,
          queuedAt: at(input.queued),
          openedAt: at(input.queued),
          assignedUserId: last?.user ?? null,
          assignedAt: last ? at(last.from) : null,
          firstAgentReplyAt: input.reply ? at(input.reply) : null,
          closedAt: input.closed ? at(input.closed) : null,
          closeReason: input.reason ?? null,
          chatTimeExceededAt: input.overChatTime ? at('14:56:00') : null,
        })
        .returning();
      for (const leg of legs) {
        await db.insert(conversationAssignments).values({
          conversationId: row!.id,
          userId: leg.user,
          campaignId: campaign.id,
          via: 'routing',
          maxInteractions: 3,
          activeBefore: 0,
          assignedAt: at(leg.from),
          releasedAt: leg.to ? at(leg.to) : null,
          releaseReason: leg.reason ?? null,
        });
      }
      return row!;
    };
    await conversation({
      queued: '14:00:00',
      reply: '14:00:30',
      status: 'closed',
      closed: '14:10:10',
      reason: 'agent_closed',
      legs: [{ user: a.id, from: '14:00:10', to: '14:10:10', reason: 'closed' }],
    });
    await conversation({
      queued: '14:00:00',
      reply: '14:02:00',
      status: 'closed',
      closed: '14:06:50',
      reason: 'agent_closed',
      legs: [
        { user: a.id, from: '14:01:50', to: '14:03:50', reason: 'transferred' },
        { user: b.id, from: '14:03:50', to: '14:06:50', reason: 'closed' },
      ],
    });
    await conversation({ queued: '14:20:00', status: 'closed', closed: '14:25:00', reason: 'abandoned' });
    await conversation({ queued: '14:30:00', status: 'closed', closed: '14:31:00', reason: 'opted_out' });
    await conversation({
      queued: '01:00:00',
      reply: '01:00:20',
      status: 'closed',
      closed: '02:50:00',
      reason: 'agent_closed',
      legs: [{ user: a.id, from: '01:00:10', to: '02:50:00', reason: 'closed' }],
    });
    const waiting = await conversation({ queued: '14:50:00', status: 'queued' });
    await conversation({ queued: '14:40:00', status: 'assigned', legs: [{ user: a.id, from: '14:41:00' }], overChatTime: true });

    const [monitor] = await campaignMonitors(db, [campaign.id], { now: NOW });
    expect(monitor).toMatchObject({
      timeZone: 'America/Montevideo',
      waiting: 1,
      oldestQueuedAt: at('14:50:00').toISOString(),
      longestWaitSeconds: 600,
      active: 1,
      overChatTime: 1,
      completedToday: 2,
      abandonedToday: 1,
      serviceLevelPercent: 33.3,
      asaSeconds: 75,
      ahtSeconds: 450,
    });
    expect(monitor!.onHold).toEqual([expect.objectContaining({ conversationId: waiting.id, queuedAt: at('14:50:00').toISOString() })]);

    const agents = await agentMonitors(db, [campaign.id], { now: NOW, timeZone: 'America/Montevideo' });
    expect(agents.map((agent) => [agent.displayName, agent.status, agent.active, agent.completedToday, agent.channels])).toEqual([
      ['Ana', 'free', 1, 1, ['simulator']],
      ['Bruno', 'free_on_break', 0, 1, []],
      ['Carla', 'offline', 0, 0, []],
    ]);
    expect(agents[1]).toMatchObject({ breakName: 'Lunch', since: at('14:30:00').toISOString() });
  });

  it('has no service level, ASA or AHT before anything happened, and "busy" means no room left', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const agent = await buildUser(db, { displayName: 'Dora' });
    const campaign = await buildCampaign(db, { channelIds: [channel.id], memberIds: [agent.id], maxInteractionsPerAgent: 1 });
    await db.insert(agentPresence).values({ userId: agent.id, state: 'available' });
    const [monitor] = await campaignMonitors(db, [campaign.id]);
    expect(monitor).toMatchObject({ waiting: 0, longestWaitSeconds: 0, serviceLevelPercent: null, asaSeconds: null, ahtSeconds: null, timeZone: 'UTC' });
    const [contact] = await db.insert(contacts).values({}).returning();
    const [address] = await db.insert(contactAddresses).values({ contactId: contact!.id, channelId: channel.id, address: '+59899000111' }).returning();
    await db.insert(conversations).values({
      channelId: channel.id,
      contactId: contact!.id,
      contactAddressId: address!.id,
      campaignId: campaign.id,
      status: 'assigned',
      assignedUserId: agent.id,
      queuedAt: new Date(),
      assignedAt: new Date(),
    });
    const [busy] = await agentMonitors(db, [campaign.id]);
    expect(busy).toMatchObject({ status: 'busy', active: 1 });
    await db.execute(sql`update agent_presence set state = 'break', break_name = 'Coffee' where user_id = ${agent.id}`);
    expect((await agentMonitors(db, [campaign.id]))[0]).toMatchObject({ status: 'busy_on_break' });
  });
});
