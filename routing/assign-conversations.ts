import { and, asc, count, desc, eq, sql } from 'drizzle-orm';
import { agentPresence, auditLog, campaigns, conversations } from '../db/schema/index.ts';
import { changeConversationStatus } from '../conversations/change-status.ts';
import { conversationEvents } from '../conversations/conversation-events.ts';
import { inTransaction, type Services, type UnitOfWork } from '../server/unit-of-work.ts';

/** Assigns waiting conversations of a campaign while agents have capacity; returns how many. */
export async function assignWaiting(services: Services, campaignId: number, limit = 500): Promise<number> {
  let assigned = 0;
  // One transaction per assignment keeps row locks short, so several workers interleave.
  while (assigned < limit && (await inTransaction(services, (uow) => assignNext(uow, campaignId)))) assigned++;
  return assigned;
}

/**
 * Gives the head of a campaign's queue (priority, then waiting time) to the member with the fewest
 * active conversations who is available and under the campaign's max interactions. Returns false
 * when the queue is empty or nobody has capacity.
 */
export async function assignNext(uow: UnitOfWork, campaignId: number): Promise<boolean> {
  const { tx } = uow;
  const campaign = await tx.query.campaigns.findFirst({ where: eq(campaigns.id, campaignId) });
  if (!campaign?.enabled) return false;
  // SKIP LOCKED: a conversation another worker is assigning right now is passed over, never taken twice.
  const [head] = await tx
    .select()
    .from(conversations)
    .where(and(eq(conversations.campaignId, campaignId), eq(conversations.status, 'queued')))
    .orderBy(desc(conversations.priority), asc(conversations.queuedAt), asc(conversations.id))
    .limit(1)
    .for('update', { skipLocked: true });
  if (!head) return false;
  const candidates = (await tx.execute(sql`
    select m.user_id
      from campaign_members m
      join agent_presence p on p.user_id = m.user_id and p.state = 'available'
      join users u on u.id = m.user_id and u.enabled
      cross join lateral (
        select count(*)::int as active from conversations c
         where c.assigned_user_id = m.user_id and c.status = 'assigned'
      ) a
     where m.campaign_id = ${campaignId} and a.active < ${campaign.maxInteractionsPerAgent}
     order by a.active, p.last_assigned_at nulls first, m.position, m.user_id`)) as unknown as { user_id: number }[];
  for (const { user_id: userId } of candidates) {
    // Every assignment to an agent and every change of their presence lock this row first, so the
    // count below is exact: two workers can never both fill an agent's last free slot, and an agent
    // going on break cannot receive a conversation in the same instant.
    const [agent] = await tx
      .select()
      .from(agentPresence)
      .where(and(eq(agentPresence.userId, userId), eq(agentPresence.state, 'available')))
      .for('update', { skipLocked: true });
    if (!agent) continue;
    const [active] = await tx
      .select({ n: count() })
      .from(conversations)
      .where(and(eq(conversations.assignedUserId, userId), eq(conversations.status, 'assigned')));
    if ((active?.n ?? 0) >= campaign.maxInteractionsPerAgent) continue;
    const now = new Date();
    await changeConversationStatus(tx, head, { type: 'assign' }, { assignedUserId: userId, assignedAt: now });
    await tx.update(agentPresence).set({ lastAssignedAt: now }).where(eq(agentPresence.userId, userId));
    await tx.insert(auditLog).values({
      action: 'conversation.assigned',
      targetType: 'conversation',
      targetId: String(head.id),
      details: { userId, campaignId, activeBefore: active?.n ?? 0, max: campaign.maxInteractionsPerAgent },
    });
    uow.emit(...(await conversationEvents(tx, [head.id])));
    return true;
  }
  return false;
}
