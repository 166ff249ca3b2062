import { and, eq } from 'drizzle-orm';
import { agentPresence, campaigns, conversations } from '../db/schema/index.ts';
import { changeConversationStatus } from './change-status.ts';
import { emitConversations } from '../conversations/conversation-events.ts';
import { inTransaction, type Services, type UnitOfWork } from '../kernel/unit-of-work.ts';
import { lockAgentLoad } from './agent-load.ts';
import { candidateAgents, lastAgentOf, QUEUE_ORDER } from './candidate-agents.ts';
import { offerWaiting } from './offers.ts';

/** Assigns (or, for offer-to-all, offers) waiting conversations of a campaign while agents have room; returns how many. */
export async function assignWaiting(services: Services, campaignId: number, limit = 500): Promise<number> {
  const campaign = await services.db.query.campaigns.findFirst({ where: eq(campaigns.id, campaignId) });
  if (!campaign) return 0;
  if (campaign.strategy === 'offer_all') return inTransaction(services, (uow) => offerWaiting(uow, campaignId));
  let assigned = 0;
  // One transaction per assignment keeps row locks short, so several workers interleave.
  while (assigned < limit && (await inTransaction(services, (uow) => assignNext(uow, campaignId)))) assigned++;
  return assigned;
}

/**
 * Gives the head of a campaign's queue (priority, then waiting time) to the member the campaign's
 * strategy prefers among those available and under its max interactions. Returns false when the
 * queue is empty or nobody has room.
 */
export async function assignNext(uow: UnitOfWork, campaignId: number): Promise<boolean> {
  const { tx } = uow;
  // Round robin's memory is a column of the campaign: its assigners take turns on the row so two
  // never read the same "last position" and give the same next agent two conversations in a row.
  const [campaign] = await tx.select().from(campaigns).where(eq(campaigns.id, campaignId));
  if (!campaign || campaign.strategy === 'offer_all') return false;
  if (campaign.strategy === 'round_robin') {
    const [locked] = await tx.select().from(campaigns).where(eq(campaigns.id, campaignId)).for('no key update');
    Object.assign(campaign, locked);
  }
  // SKIP LOCKED: a conversation another worker is assigning right now is passed over, never taken twice.
  const [head] = await tx
    .select()
    .from(conversations)
    .where(and(eq(conversations.campaignId, campaignId), eq(conversations.status, 'queued')))
    .orderBy(QUEUE_ORDER)
    .limit(1)
    .for('update', { skipLocked: true });
  if (!head) return false;
  const sticky = campaign.stickyAgent ? await lastAgentOf(tx, { contactId: head.contactId, campaignId, exceptConversationId: head.id }) : null;
  // The best few are enough: one is taken unless others assign them at this very instant.
  const candidates = await candidateAgents(tx, campaign, { prefer: sticky, avoid: head.requeuedFromUserId, limit: 10 });
  for (const candidate of candidates) {
    const load = await lockAgentLoad(tx, candidate.userId, { skipLocked: true });
    if (load?.state !== 'available' || load.active >= campaign.maxInteractionsPerAgent) continue;
    const activeBefore = load.active;
    const now = new Date();
    await changeConversationStatus(
      uow,
      head,
      { type: 'assign' },
      { assignedUserId: candidate.userId, assignedAt: now },
      { via: candidate.userId === sticky ? 'sticky' : 'routing', activeBefore, maxInteractions: campaign.maxInteractionsPerAgent, campaign },
    );
    await tx.update(agentPresence).set({ lastAssignedAt: now }).where(eq(agentPresence.userId, candidate.userId));
    if (campaign.strategy === 'round_robin') {
      await tx.update(campaigns).set({ lastAssignedPosition: candidate.position }).where(eq(campaigns.id, campaignId));
    }
    emitConversations(uow, [head.id]);
    return true;
  }
  return false;
}
