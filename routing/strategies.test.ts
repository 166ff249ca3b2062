import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPresence, contactAddresses, contacts, conversationAssignments, conversations, type CampaignStrategy } from '../db/schema/index.ts';
import { buildCampaign, buildSimulatorChannel, buildUser } from '../test/harness/factories.ts';
import { startTestPlatform, type TestPlatform } from '../test/harness/test-platform.ts';
import { inTransaction } from '../kernel/unit-of-work.ts';
import { assignWaiting } from './assign-conversations.ts';
import { setPresence } from './agent-presence.ts';

let platform: TestPlatform;
beforeAll(async () => {
  // Workers off: each test drives assignment itself, so the order it sees is the strategy's alone.
  platform = await startTestPlatform({ ROLES: 'http' });
});
afterAll(() => platform.close());

async function campaignWith(strategy: CampaignStrategy, agentCount: number, maxInteractionsPerAgent: number) {
  const { db } = platform.services;
  const channel = await buildSimulatorChannel(db);
  const agents = [];
  for (let i = 0; i < agentCount; i++) agents.push(await buildUser(db, { displayName: `agent ${i + 1}` }));
  await db.insert(agentPresence).values(agents.map((agent) => ({ userId: agent.id, state: 'available' as const })));
  const campaign = await buildCampaign(db, { channelIds: [channel.id], memberIds: agents.map((agent) => agent.id), strategy, maxInteractionsPerAgent });
  return { channel, agents, campaign };
}

/** `count` queued conversations, oldest first, one second apart; returns their ids in queue order. */
async function enqueue(campaignId: number, channelId: number, count: number, contactId?: number) {
  const { db } = platform.services;
  const ids: number[] = [];
  const base = Date.now() - 3600_000;
  for (let i = 0; i < count; i++) {
    const contact = contactId ?? (await db.insert(contacts).values({}).returning())[0]!.id;
    const [address] = await db
      .insert(contactAddresses)
      .values({ contactId: contact, channelId, address: `+5989${String(Math.random()).slice(2, 9)}` })
      .onConflictDoNothing()
      .returning();
    const addressId = address?.id ?? (await db.query.contactAddresses.findFirst({ where: eq(contactAddresses.contactId, contact) }))!.id;
    const [row] = await db
      .insert(conversations)
      .values({ channelId, contactId: contact, contactAddressId: addressId, campaignId, status: 'queued', queuedAt: new Date(base + i * 1000) })
      .returning();
    ids.push(row!.id);
  }
  return ids;
}

/** Who received each conversation, in assignment order. */
async function receivers(campaignId: number): Promise<number[]> {
  const rows = await platform.services.db
    .select({ userId: conversationAssignments.userId })
    .from(conversationAssignments)
    .where(eq(conversationAssignments.campaignId, campaignId))
    .orderBy(asc(conversationAssignments.id));
  return rows.map((row) => row.userId);
}

const tally = (ids: number[]) => ids.reduce((counts, id) => counts.set(id, (counts.get(id) ?? 0) + 1), new Map<number, number>());

describe('assignment strategies', () => {
  it('round robin takes turns in member order, and remembers whose turn it is between runs', async () => {
    const { channel, agents, campaign } = await campaignWith('round_robin', 3, 100);
    const [a, b, c] = agents.map((agent) => agent.id);
    await enqueue(campaign.id, channel.id, 2);
    expect(await assignWaiting(platform.services, campaign.id)).toBe(2);
    expect(await receivers(campaign.id)).toEqual([a, b]);
    // Next run: c's turn, not a's again.
    await enqueue(campaign.id, channel.id, 28);
    expect(await assignWaiting(platform.services, campaign.id)).toBe(28);
    const order = await receivers(campaign.id);
    expect(order.slice(0, 6)).toEqual([a, b, c, a, b, c]);
    expect([...tally(order).values()]).toEqual([10, 10, 10]);
  });

  it('round robin skips an agent at capacity and carries on after them', async () => {
    const { channel, agents, campaign } = await campaignWith('round_robin', 3, 2);
    const [a, b, c] = agents.map((agent) => agent.id);
    await inTransaction(platform.services, (uow) => setPresence(uow, { userId: b!, change: { state: 'break', breakName: 'Lunch' }, changedByUserId: b! }));
    await enqueue(campaign.id, channel.id, 5);
    expect(await assignWaiting(platform.services, campaign.id)).toBe(4);
    expect(await receivers(campaign.id)).toEqual([a, c, a, c]);
  });

  it('longest idle gives each conversation to the agent idle the longest', async () => {
    const { db } = platform.services;
    const { channel, agents, campaign } = await campaignWith('longest_idle', 3, 100);
    const [a, b, c] = agents.map((agent) => agent.id);
    const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
    // Idle since: a 30 min ago, b 10 min ago, c 20 min ago (their last conversation, or becoming available).
    await db
      .update(agentPresence)
      .set({ since: ago(7200), lastAssignedAt: ago(1800) })
      .where(eq(agentPresence.userId, a!));
    await db
      .update(agentPresence)
      .set({ since: ago(600), lastAssignedAt: null })
      .where(eq(agentPresence.userId, b!));
    await db
      .update(agentPresence)
      .set({ since: ago(7200), lastAssignedAt: ago(1200) })
      .where(eq(agentPresence.userId, c!));
    await enqueue(campaign.id, channel.id, 4);
    expect(await assignWaiting(platform.services, campaign.id)).toBe(4);
    expect(await receivers(campaign.id)).toEqual([a, c, b, a]);
  });

  it('linear fills the first member in member order, then the next', async () => {
    const { channel, agents, campaign } = await campaignWith('linear', 3, 2);
    const [a, b, c] = agents.map((agent) => agent.id);
    await enqueue(campaign.id, channel.id, 5);
    expect(await assignWaiting(platform.services, campaign.id)).toBe(5);
    expect(await receivers(campaign.id)).toEqual([a, a, b, b, c]);
  });

  it('fewest active evens out the load, whoever had more to begin with', async () => {
    const { channel, agents, campaign } = await campaignWith('fewest_active', 3, 4);
    const [a, b, c] = agents.map((agent) => agent.id);
    const busy = await enqueue(campaign.id, channel.id, 3);
    await platform.services.db.execute(sql`
      update conversations set status = 'assigned', assigned_user_id = case when id = ${busy[2]!} then ${c!}::int else ${a!}::int end, assigned_at = now()
       where id in ${busy}`);
    await enqueue(campaign.id, channel.id, 6);
    expect(await assignWaiting(platform.services, campaign.id)).toBe(6);
    const load = (await platform.services.db.execute(sql`
      select assigned_user_id as id, count(*)::int as n from conversations where campaign_id = ${campaign.id} and status = 'assigned' group by 1`)) as unknown as {
      id: number;
      n: number;
    }[];
    expect(Object.fromEntries(load.map((row) => [row.id, row.n]))).toEqual({ [a!]: 3, [b!]: 3, [c!]: 3 });
    // b had none: first; then b and c tie at one and c has been idle longer; then b is the least loaded.
    expect((await receivers(campaign.id)).slice(0, 3)).toEqual([b, c, b]);
  });

  it('random spreads conversations over every available member', async () => {
    const { channel, agents, campaign } = await campaignWith('random', 4, 1000);
    await enqueue(campaign.id, channel.id, 200);
    expect(await assignWaiting(platform.services, campaign.id)).toBe(200);
    const counts = tally(await receivers(campaign.id));
    expect(counts.size).toBe(4);
    // Each share is Binomial(200, 1/4): mean 50, sd 6.1; outside 20..80 is nearly five sd away.
    for (const agent of agents) expect(counts.get(agent.id)).toBeGreaterThan(20);
    for (const agent of agents) expect(counts.get(agent.id)).toBeLessThan(80);
  });

  it('sticky agent: a returning customer goes to their last agent while that agent has room', async () => {
    const { db } = platform.services;
    const { channel, agents, campaign } = await campaignWith('fewest_active', 2, 3);
    await db.execute(sql`update campaigns set sticky_agent = true where id = ${campaign.id}`);
    const [a, b] = agents.map((agent) => agent.id);
    const [contact] = await db.insert(contacts).values({}).returning();
    const [first] = await enqueue(campaign.id, channel.id, 1, contact!.id);
    // The first time b served them; the conversation is over.
    await db.execute(
      sql`update conversations set status = 'closed', close_reason = 'agent_closed', closed_at = now(), assigned_user_id = ${b!} where id = ${first!}`,
    );
    await db.insert(conversationAssignments).values({
      conversationId: first!,
      userId: b!,
      campaignId: campaign.id,
      via: 'routing',
      maxInteractions: 3,
      activeBefore: 0,
      releasedAt: new Date(),
      releaseReason: 'closed',
    });
    // b is busier than a, so fewest active alone would pick a.
    await enqueue(campaign.id, channel.id, 1);
    await assignWaiting(platform.services, campaign.id);
    expect((await receivers(campaign.id)).at(-1)).toBe(a);
    await enqueue(campaign.id, channel.id, 1, contact!.id);
    await assignWaiting(platform.services, campaign.id);
    const last = await db
      .select()
      .from(conversationAssignments)
      .where(eq(conversationAssignments.campaignId, campaign.id))
      .orderBy(asc(conversationAssignments.id));
    expect(last.at(-1)).toMatchObject({ userId: b, via: 'sticky' });
  });

  it('an agent going offline sends their chats back ahead of newer customers, to another agent first', async () => {
    const { db } = platform.services;
    const { channel, agents, campaign } = await campaignWith('fewest_active', 2, 1);
    const [a, b] = agents.map((agent) => agent.id);
    await inTransaction(platform.services, (uow) => setPresence(uow, { userId: b!, change: { state: 'break', breakName: 'Lunch' }, changedByUserId: b! }));
    const [older, newer] = await enqueue(campaign.id, channel.id, 2);
    expect(await assignWaiting(platform.services, campaign.id)).toBe(1);
    expect((await db.query.conversations.findFirst({ where: eq(conversations.id, older!) }))?.assignedUserId).toBe(a);
    // a leaves, b comes back: the older customer (requeued) goes before the newer one, to b.
    await inTransaction(platform.services, (uow) => setPresence(uow, { userId: a!, change: { state: 'offline' }, changedByUserId: a! }));
    await inTransaction(platform.services, (uow) => setPresence(uow, { userId: b!, change: { state: 'available' }, changedByUserId: b! }));
    expect(await assignWaiting(platform.services, campaign.id)).toBe(1);
    const [o, n] = await Promise.all([older!, newer!].map((id) => db.query.conversations.findFirst({ where: eq(conversations.id, id) })));
    expect(o).toMatchObject({ status: 'assigned', assignedUserId: b, requeuedFromUserId: a });
    expect(n).toMatchObject({ status: 'queued' });
    const history = await db
      .select()
      .from(conversationAssignments)
      .where(eq(conversationAssignments.conversationId, older!))
      .orderBy(asc(conversationAssignments.id));
    expect(history.map((row) => [row.userId, row.releaseReason])).toEqual([
      [a, 'agent_offline'],
      [b, null],
    ]);
  });
});
