import { and, asc, count, eq } from 'drizzle-orm';
import { emitConversations } from '../conversations/conversation-events.ts';
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
 * (or stays with the bot, per the campaign). The count takes no lock, so handoffs of one campaign
 * never wait on each other: two that race past the limit together are both queued, and the
 * campaign's assignment pass that they trigger answers the later one "queue full" (`trimQueue`).
 */
export async function queueConversation(uow: UnitOfWork, conversation: ConversationRow, campaign: Campaign): Promise<ConversationRow> {
  if (await queueIsFull(uow.tx, campaign)) return refuseQueueFull(uow, conversation, campaign);
  const queued = await changeConversationStatus(uow, conversation, { type: 'handoff' }, { campaignId: campaign.id });
  await requestAssignment(uow, campaign.id);
  return queued;
}

/** The campaign's answer to a conversation its full queue cannot take: the message, then closed or back with the bot. */
async function refuseQueueFull(uow: UnitOfWork, conversation: ConversationRow, campaign: Campaign): Promise<ConversationRow> {
  if (campaign.queueFullMessage) {
    await queueOutboundMessage(uow, { conversation, authorType: 'bot', botNode: 'queue_full', body: campaign.queueFullMessage });
  }
  if (campaign.acdFullAction === 'stay_with_bot')
    return conversation.status === 'bot' ? conversation : changeConversationStatus(uow, conversation, { type: 'return_to_bot' });
  return changeConversationStatus(uow, conversation, { type: 'close', reason: 'queue_full' });
}

/**
 * Whether the campaign's queue is at its ACD limit. `lock` counts under a lock on the campaign row
 * (an agent's transfer, refused exactly); the bot's handoffs count without one. NO KEY UPDATE, not
 * UPDATE: inserting a conversation takes KEY SHARE on its campaign through the foreign key, and FOR
 * UPDATE against that deadlocks two transactions that each opened a conversation.
 */
export async function queueIsFull(tx: Tx, campaign: Pick<Campaign, 'id' | 'acdMaxWaiting'>, options: { lock?: boolean } = {}): Promise<boolean> {
  if (options.lock) await tx.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.id, campaign.id)).for('no key update');
  const [waiting] = await tx
    .select({ n: count() })
    .from(conversations)
    .where(and(eq(conversations.campaignId, campaign.id), eq(conversations.status, 'queued')));
  return (waiting?.n ?? 0) >= campaign.acdMaxWaiting;
}

/**
 * Holds the ACD limit exactly, after the fact: under the campaign row's lock (taken here, in the
 * campaign's assignment pass, never in the bot's path), the conversations waiting beyond the limit
 * (the latest to enter) get the queue-full answer. Only those that entered since the campaign
 * was last changed: a supervisor lowering the limit turns new customers away, never ones already
 * waiting. Answers how many.
 */
export async function trimQueue(uow: UnitOfWork, campaignId: number): Promise<number> {
  const { tx } = uow;
  const [campaign] = await tx.select().from(campaigns).where(eq(campaigns.id, campaignId)).for('no key update');
  if (!campaign) return 0;
  const overflow = await tx
    .select()
    .from(conversations)
    .where(and(eq(conversations.campaignId, campaignId), eq(conversations.status, 'queued')))
    .orderBy(asc(conversations.queuedAt), asc(conversations.id))
    .offset(campaign.acdMaxWaiting)
    .for('update');
  const refused: number[] = [];
  for (const conversation of overflow) {
    if (conversation.queuedAt && conversation.queuedAt < campaign.updatedAt) continue;
    await refuseQueueFull(uow, conversation, campaign);
    refused.push(conversation.id);
  }
  if (refused.length) emitConversations(uow, refused);
  return refused.length;
}

/** Asks routing to look at a campaign's queue (after a handoff, a close, an agent becoming available). */
export async function requestAssignment(uow: UnitOfWork, campaignId: number): Promise<void> {
  // Deferred to commit and sorted by campaign: two transactions enqueueing the same stately keys in
  // opposite orders would wait on each other's unique index entries and deadlock.
  uow.beforeCommit(`routing.assign:${String(campaignId).padStart(10, '0')}`, () =>
    uow.enqueue(QUEUES.routingAssign, { campaignId }, { singletonKey: String(campaignId) }),
  );
}
