import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPresence, contactAddresses, contacts, conversations } from '../db/schema/index.ts';
import { changeConversationStatus } from './change-status.ts';
import { buildCampaign, buildSimulatorChannel, buildUser } from '../test/harness/factories.ts';
import { startTestPlatform, type TestPlatform } from '../test/harness/test-platform.ts';
import { inTransaction } from '../kernel/unit-of-work.ts';
import { assignWaiting } from './assign-conversations.ts';

let platform: TestPlatform;
beforeAll(async () => {
  // Workers off: the test drives assignment itself, so nothing else assigns behind its back.
  platform = await startTestPlatform({ ROLES: 'http' });
});
afterAll(() => platform.close());

async function agentsAvailable(count: number) {
  const agents = [];
  for (let i = 0; i < count; i++) {
    const agent = await buildUser(platform.services.db, { role: 'agent' });
    await platform.services.db.insert(agentPresence).values({ userId: agent.id, state: 'available' });
    agents.push(agent);
  }
  return agents;
}

/** `count` conversations waiting in the campaign's queue, oldest first. */
async function queueConversations(campaignId: number, channelId: number, count: number, priority = 0) {
  const { db } = platform.services;
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const [contact] = await db.insert(contacts).values({}).returning();
    const [address] = await db
      .insert(contactAddresses)
      .values({ contactId: contact!.id, channelId, address: `+5989${String(Math.random()).slice(2, 9)}` })
      .returning();
    const [conversation] = await db
      .insert(conversations)
      .values({
        channelId,
        contactId: contact!.id,
        contactAddressId: address!.id,
        campaignId,
        status: 'queued',
        priority,
        queuedAt: new Date(Date.now() - (count - i) * 1000),
      })
      .returning();
    ids.push(conversation!.id);
  }
  return ids;
}

const activeCounts = async (campaignId: number) =>
  (await platform.services.db.execute(sql`
    select assigned_user_id as user_id, count(*)::int as active from conversations
     where campaign_id = ${campaignId} and status = 'assigned' group by assigned_user_id`)) as unknown as { user_id: number; active: number }[];

describe('assignment', () => {
  it('gives the fewest-active available member the head of the queue and never exceeds max interactions', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const [a, b, onBreak] = await agentsAvailable(3);
    await db.update(agentPresence).set({ state: 'break', breakName: 'Lunch' }).where(eq(agentPresence.userId, onBreak!.id));
    const outsider = (await agentsAvailable(1))[0]!;
    const campaign = await buildCampaign(db, { channelIds: [channel.id], memberIds: [a!.id, b!.id, onBreak!.id], maxInteractionsPerAgent: 2 });
    const waiting = await queueConversations(campaign.id, channel.id, 5);

    expect(await assignWaiting(platform.services, campaign.id)).toBe(4);
    const counts = await activeCounts(campaign.id);
    expect(counts.map((row) => row.user_id).sort()).toEqual([a!.id, b!.id].sort());
    expect(counts.every((row) => row.active === 2)).toBe(true);
    expect(counts.some((row) => row.user_id === outsider.id || row.user_id === onBreak!.id)).toBe(false);
    // The oldest four were assigned, alternating between the two agents; the newest still waits.
    const rows = await db.select().from(conversations).where(eq(conversations.campaignId, campaign.id)).orderBy(conversations.queuedAt);
    expect(rows.map((row) => row.status)).toEqual(['assigned', 'assigned', 'assigned', 'assigned', 'queued']);
    expect(rows[0]!.assignedUserId).not.toBe(rows[1]!.assignedUserId);
    expect(rows[4]!.id).toBe(waiting[4]);

    // Capacity frees: the waiting one moves at once on the next run.
    const first = rows[0]!;
    await inTransaction(platform.services, (uow) => changeConversationStatus(uow, first, { type: 'close', reason: 'agent_closed' }));
    expect(await assignWaiting(platform.services, campaign.id)).toBe(1);
    const last = await db.query.conversations.findFirst({ where: eq(conversations.id, waiting[4]!) });
    expect(last).toMatchObject({ status: 'assigned', assignedUserId: first.assignedUserId });
  });

  it('serves higher priority first, then the longest waiting', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const [agent] = await agentsAvailable(1);
    const campaign = await buildCampaign(db, { channelIds: [channel.id], memberIds: [agent!.id], maxInteractionsPerAgent: 1 });
    await queueConversations(campaign.id, channel.id, 2, 0);
    const [urgent] = await queueConversations(campaign.id, channel.id, 1, 5);
    expect(await assignWaiting(platform.services, campaign.id)).toBe(1);
    const assigned = await db
      .select()
      .from(conversations)
      .where(and(eq(conversations.campaignId, campaign.id), eq(conversations.status, 'assigned')));
    expect(assigned.map((row) => row.id)).toEqual([urgent]);
  });

  it('many concurrent assigners never assign a conversation twice nor exceed any agent', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const agents = await agentsAvailable(6);
    const campaign = await buildCampaign(db, { channelIds: [channel.id], memberIds: agents.map((agent) => agent.id), maxInteractionsPerAgent: 3 });
    await queueConversations(campaign.id, channel.id, 40);
    const results = await Promise.all(Array.from({ length: 8 }, () => assignWaiting(platform.services, campaign.id)));
    expect(results.reduce((sum, n) => sum + n, 0)).toBe(18);
    const counts = await activeCounts(campaign.id);
    expect(counts).toHaveLength(6);
    expect(Math.max(...counts.map((row) => row.active))).toBe(3);
    // The assignment history agrees: 18 assignments, each conversation at most once, each under the limit.
    const history = (await db.execute(sql`
      select conversation_id, count(*)::int as n, max(active_before)::int as most from conversation_assignments
       where campaign_id = ${campaign.id} group by conversation_id`)) as unknown as { n: number; most: number }[];
    expect(history).toHaveLength(18);
    expect(history.every((row) => row.n === 1 && row.most < 3)).toBe(true);
  });
});
