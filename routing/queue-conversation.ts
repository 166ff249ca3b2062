import { and, count, eq } from 'drizzle-orm';
import { campaigns, conversations } from '../db/schema/index.ts';
import { changeConversationStatus } from './change-status.ts';
import type { ConversationRow } from '../conversations/open-conversation.ts';
import { queueOutboundMessage } from '../conversations/queue-outbound-message.ts';
import { QUEUES } from '../kernel/queues.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';
import type { Tx } from '../db/connection.ts';

type Campaign = typeof campaigns.$inferSelect;

/**
 * Hands a bot conversation to its campaign's queue and asks routing to assign it. When the queue is
 * at the campaign's ACD limit the customer gets the "queue full" message and the conversation closes
 * (or stays with the bot, per the campaign).
 */
export async function queueConversation(uow: UnitOfWork, conversation: ConversationRow, campaign: Campaign): Promise<ConversationRow> {
  if (await queueIsFull(uow.tx, campaign)) {
    if (campaign.queueFullMessage) {
      await queueOutboundMessage(uow, { conversation, authorType: 'bot', botNode: 'queue_full', body: campaign.queueFullMessage });
    }
    if (campaign.acdFullAction === 'stay_with_bot') return conversation;
    return changeConversationStatus(uow, conversation, { type: 'close', reason: 'queue_full' });
  }
  const queued = await changeConversationStatus(uow, conversation, { type: 'handoff' }, { campaignId: campaign.id });
  await requestAssignment(uow, campaign.id);
  return queued;
}

/**
 * Whether the campaign's queue is at its ACD limit, counted under a lock on the campaign row that every
 * entry into the queue (a handoff, a transfer) takes until commit: without it two could both see
 * ACD-1 waiting and both enter. NO KEY UPDATE, not UPDATE: inserting a conversation takes KEY SHARE on
 * its campaign through the foreign key, and FOR UPDATE against that deadlocks two handoffs that each
 * opened a conversation (found by the inbound benchmark).
 */
export async function queueIsFull(tx: Tx, campaign: Pick<Campaign, 'id' | 'acdMaxWaiting'>): Promise<boolean> {
  await tx.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.id, campaign.id)).for('no key update');
  const [waiting] = await tx
    .select({ n: count() })
    .from(conversations)
    .where(and(eq(conversations.campaignId, campaign.id), eq(conversations.status, 'queued')));
  return (waiting?.n ?? 0) >= campaign.acdMaxWaiting;
}

/** Asks routing to look at a campaign's queue (after a handoff, a close, an agent becoming available). */
export async function requestAssignment(uow: UnitOfWork, campaignId: number): Promise<void> {
  // Deferred to commit and sorted by campaign: two transactions enqueueing the same stately keys in
  // opposite orders would wait on each other's unique index entries and deadlock.
  uow.beforeCommit(`routing.assign:${String(campaignId).padStart(10, '0')}`, () =>
    uow.enqueue(QUEUES.routingAssign, { campaignId }, { singletonKey: String(campaignId) }),
  );
}
