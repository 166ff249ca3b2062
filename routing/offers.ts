import { and, asc, eq, sql } from 'drizzle-orm';
import { agentPresence, campaigns, conversationOffers, conversations } from '../db/schema/index.ts';
import type { Executor } from '../db/connection.ts';
import { changeConversationStatus } from './change-status.ts';
import { emitConversations } from '../conversations/conversation-events.ts';
import { presentConversations } from '../conversations/presenters.ts';
import type { Offer } from '../contract/routing.ts';
import { rooms } from '../kernel/realtime.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';
import { lockAgentLoad } from './agent-load.ts';
import { requestAssignmentForAgent } from './agent-presence.ts';
import { candidateAgents, QUEUE_ORDER } from './candidate-agents.ts';
import { deleteOffers } from './offer-rows.ts';
import { TakeRefusedError } from './take-conversation.ts';
import { DomainError } from '../kernel/errors.ts';
import type { CommandContext } from '../kernel/command.ts';

/** Advisory lock namespace (first key) of a campaign's offer round. */
const OFFER_ROUND_LOCK = 7_340_005;

/** How many of a campaign's waiting customers are offered at once (the head of its queue). */
const OFFERED_AT_ONCE = 100;

/** The conversation is no longer there to accept: someone else took it, or it left the queue. */
export class OfferGoneError extends DomainError {
  override name = 'OfferGoneError';
  constructor(message: string) {
    super('conflict', 'offer_gone', message);
  }
}

/**
 * Offer-to-all: shows the head of the campaign's queue to every member who could take a conversation
 * now (available, under the max interactions), and withdraws the offers of members who no longer
 * can. Returns how many offers it made. Conversations being accepted right now are skipped (SKIP
 * LOCKED) so the offers never outlive the conversation's stay in the queue.
 */
export async function offerWaiting(uow: UnitOfWork, campaignId: number): Promise<number> {
  const { tx } = uow;
  const campaign = await tx.query.campaigns.findFirst({ where: eq(campaigns.id, campaignId) });
  if (!campaign) return 0;
  // One offer round per campaign at a time: two rounds deleting and inserting the same offers deadlocked.
  await tx.execute(sql`select pg_advisory_xact_lock(${OFFER_ROUND_LOCK}, ${campaignId})`);
  const eligible = (await candidateAgents(tx, campaign)).map((candidate) => candidate.userId);
  const stale = await deleteOffers(tx, eligible.length ? sql`campaign_id = ${campaignId} and user_id not in ${eligible}` : sql`campaign_id = ${campaignId}`);
  for (const offer of stale) uow.emit({ rooms: [rooms.user(offer.userId)], event: 'offer.withdrawn', payload: { conversationId: offer.conversationId } });
  if (eligible.length === 0) return 0;
  const waiting = await tx
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.campaignId, campaignId), eq(conversations.status, 'queued')))
    .orderBy(QUEUE_ORDER)
    .limit(OFFERED_AT_ONCE)
    .for('update', { skipLocked: true });
  if (waiting.length === 0) return 0;
  const made = await tx
    .insert(conversationOffers)
    .values(waiting.flatMap(({ id }) => eligible.map((userId) => ({ conversationId: id, userId, campaignId }))))
    .onConflictDoNothing()
    .returning();
  const offers = await presentOffers(tx, made);
  for (const [index, offer] of made.entries()) uow.emit({ rooms: [rooms.user(offer.userId)], event: 'offer.created', payload: offers[index]! });
  return made.length;
}

/** Offers in the console's shape (one per row, in the same order). */
async function presentOffers(db: Executor, rows: (typeof conversationOffers.$inferSelect)[]): Promise<Offer[]> {
  if (rows.length === 0) return [];
  const ids = [...new Set(rows.map((row) => row.conversationId))];
  const presented = new Map((await presentConversations(db, sql`c.id in ${ids}`, ids.length)).map((item) => [item.summary.id, item.summary]));
  return rows.map((row) => {
    const summary = presented.get(row.conversationId)!;
    return {
      conversationId: row.conversationId,
      campaign: summary.campaign!,
      customer: summary.customer,
      channel: summary.channel,
      queuedAt: summary.queuedAt ?? summary.openedAt,
      offeredAt: row.offeredAt.toISOString(),
      lastMessage: summary.lastMessage?.body ?? null,
    };
  });
}

/** The conversations offered to an agent now, oldest first. */
export async function offersFor(db: Executor, userId: number): Promise<Offer[]> {
  const rows = await db
    .select()
    .from(conversationOffers)
    .where(eq(conversationOffers.userId, userId))
    .orderBy(asc(conversationOffers.offeredAt), asc(conversationOffers.conversationId));
  return presentOffers(db, rows);
}

/**
 * An agent accepts an offered conversation. The conversation row lock makes acceptance a race with one
 * winner: the first to lock it assigns it and withdraws every other offer; the others then find it no
 * longer queued. Capacity is checked under the agent's presence lock, as routing does.
 */
export async function acceptOffer({ uow, actor }: CommandContext, { conversationId }: { conversationId: number }) {
  const { tx } = uow;
  const { userId } = actor;
  const [conversation] = await tx.select().from(conversations).where(eq(conversations.id, conversationId)).for('update');
  if (!conversation || conversation.status !== 'queued') throw new OfferGoneError('Another agent took this conversation first');
  const [offer] = await tx
    .select()
    .from(conversationOffers)
    .where(and(eq(conversationOffers.conversationId, conversationId), eq(conversationOffers.userId, userId)));
  if (!offer) throw new OfferGoneError('This conversation is no longer offered to you');
  const campaign = (await tx.query.campaigns.findFirst({ where: eq(campaigns.id, conversation.campaignId!) }))!;
  const load = (await lockAgentLoad(tx, userId))!;
  if (load.state !== 'available') throw new TakeRefusedError('Become available to accept conversations');
  const activeBefore = load.active;
  if (activeBefore >= campaign.maxInteractionsPerAgent) {
    throw new TakeRefusedError(`You already have ${activeBefore} conversations, the most ${campaign.name} allows`);
  }
  const now = new Date();
  const assigned = await changeConversationStatus(
    uow,
    conversation,
    { type: 'assign' },
    { assignedUserId: userId, assignedAt: now },
    { via: 'offer', activeBefore, maxInteractions: campaign.maxInteractionsPerAgent, campaign },
  );
  await tx.update(agentPresence).set({ lastAssignedAt: now }).where(eq(agentPresence.userId, userId));
  // At capacity now: the agent's other offers are withdrawn by the campaigns' next offer round.
  if (activeBefore + 1 >= campaign.maxInteractionsPerAgent) await requestAssignmentForAgent(uow, userId);
  emitConversations(uow, [conversationId]);
  return assigned;
}

/** An agent went on break or offline: every offer made to them vanishes from their console. */
export async function withdrawAgentOffers(uow: UnitOfWork, userId: number): Promise<void> {
  const withdrawn = await deleteOffers(uow.tx, sql`user_id = ${userId}`);
  for (const offer of withdrawn) uow.emit({ rooms: [rooms.user(userId)], event: 'offer.withdrawn', payload: { conversationId: offer.conversationId } });
}
