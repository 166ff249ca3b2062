import { and, count, eq } from 'drizzle-orm';
import { campaigns, conversations } from '../db/schema/index.ts';
import { changeConversationStatus, type ConversationChanges } from './change-status.ts';
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
export async function queueConversation(
  uow: UnitOfWork,
  conversation: ConversationRow,
  campaign: Campaign,
  /** Other columns to change in the same update (the bot's state and handoff note). */
  changes: ConversationChanges = {},
): Promise<ConversationRow> {
  if (await queueIsFull(uow.tx, campaign)) return refuseQueueFull(uow, conversation, campaign, changes);
  const queued = await changeConversationStatus(uow, conversation, { type: 'handoff' }, { ...changes, campaignId: campaign.id });
  await requestAssignment(uow, campaign.id);
  return queued;
}

/** The campaign's answer to a bot conversation its full queue cannot take: the message, then closed or left with the bot. */
async function refuseQueueFull(uow: UnitOfWork, conversation: ConversationRow, campaign: Campaign, changes: ConversationChanges): Promise<ConversationRow> {
  if (campaign.queueFullMessage) {
    await queueOutboundMessage(uow, { conversation, authorType: 'bot', botNode: 'queue_full', body: campaign.queueFullMessage });
  }
  if (campaign.acdFullAction === 'close') return changeConversationStatus(uow, conversation, { type: 'close', reason: 'queue_full' }, changes);
  if (Object.keys(changes).length === 0) return conversation;
  const [updated] = await uow.tx.update(conversations).set(changes).where(eq(conversations.id, conversation.id)).returning();
  return updated!;
}

/**
 * How far below its ACD limit a campaign's queue must be for a handoff to count it without a lock.
 * Handoffs that race past such a count together cannot overfill the queue unless more than this many
 * of one campaign are in flight at once (each node runs at most a few inbound workers).
 */
export const UNLOCKED_MARGIN = 64;

/**
 * Whether the campaign's queue is at its ACD limit. Far below the limit the count takes no lock, so
 * the handoffs of a busy campaign never wait on each other; near it (and for `lock`, an agent's
 * transfer) it counts again under a lock on the campaign row that every entry into the queue near
 * the limit takes until commit, so two can never both take the last place. NO KEY UPDATE, not
 * UPDATE: inserting a conversation takes KEY SHARE on its campaign through the foreign key, and FOR
 * UPDATE against that deadlocks two transactions that each opened a conversation.
 */
export async function queueIsFull(tx: Tx, campaign: Pick<Campaign, 'id' | 'acdMaxWaiting'>, options: { lock?: boolean } = {}): Promise<boolean> {
  const waiting = async () =>
    (
      await tx
        .select({ n: count() })
        .from(conversations)
        .where(and(eq(conversations.campaignId, campaign.id), eq(conversations.status, 'queued')))
    )[0]?.n ?? 0;
  if (!options.lock && (await waiting()) + UNLOCKED_MARGIN < campaign.acdMaxWaiting) return false;
  await tx.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.id, campaign.id)).for('no key update');
  return (await waiting()) >= campaign.acdMaxWaiting;
}

/** Asks routing to look at a campaign's queue (after a handoff, a close, an agent becoming available). */
export async function requestAssignment(uow: UnitOfWork, campaignId: number): Promise<void> {
  // Deferred to commit and sorted by campaign: two transactions enqueueing the same stately keys in
  // opposite orders would wait on each other's unique index entries and deadlock.
  uow.beforeCommit(`routing.assign:${String(campaignId).padStart(10, '0')}`, () =>
    uow.enqueue(QUEUES.routingAssign, { campaignId }, { singletonKey: String(campaignId) }),
  );
}
