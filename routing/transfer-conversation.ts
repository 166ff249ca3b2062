import { and, eq } from 'drizzle-orm';
import { agentPresence, campaignMembers, campaigns, conversations, users } from '../db/schema/index.ts';
import { changeConversationStatus, withdrawOffers } from './change-status.ts';
import { emitConversations } from '../conversations/conversation-events.ts';
import type { ConversationRow } from '../conversations/open-conversation.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';
import { lockAgentLoad } from './agent-load.ts';
import { queueIsFull, requestAssignment } from './queue-conversation.ts';
import { TakeRefusedError } from './take-conversation.ts';
import { audit } from '../kernel/audit.ts';
import type { CommandContext } from '../kernel/command.ts';

export type TransferTarget = { toUserId: number; toCampaignId?: undefined } | { toCampaignId: number; toUserId?: undefined };

/**
 * Transfers a conversation, with a note the next agent sees: to another agent of its campaign (who
 * must be available and under the campaign's max interactions, checked under their presence lock as
 * routing does), or to another campaign's queue, where it keeps its place in line (its queue time)
 * but must fit under that campaign's ACD limit. The agent holding it, or a supervisor, may transfer.
 */
export async function transferConversation(
  { uow, actor }: CommandContext,
  { conversationId, ...target }: { conversationId: number } & TransferTarget & { note?: string },
): Promise<ConversationRow> {
  const { tx } = uow;
  const [conversation] = await tx.select().from(conversations).where(eq(conversations.id, conversationId)).for('update');
  if (!conversation) throw new TakeRefusedError('The conversation does not exist');
  if (conversation.status !== 'assigned' && conversation.status !== 'queued')
    throw new TakeRefusedError(`A ${conversation.status} conversation cannot be transferred`);
  if (actor.role === 'agent' && conversation.assignedUserId !== actor.userId) {
    throw new TakeRefusedError('Only the agent the conversation is assigned to can transfer it');
  }
  const handoffNote = target.note ? `${actor.displayName}: ${target.note}` : conversation.handoffNote;
  const result =
    target.toUserId !== undefined
      ? await toAgent(uow, conversation, target.toUserId, handoffNote)
      : await toCampaign(uow, conversation, target.toCampaignId, handoffNote);
  await audit(tx, {
    by: { userId: actor.userId },
    action: 'conversation.transferred',
    target: { type: 'conversation', id: conversationId },
    details: { fromUserId: conversation.assignedUserId, fromCampaignId: conversation.campaignId, ...target },
  });
  emitConversations(uow, [conversationId], conversation.assignedUserId);
  return result;
}

async function toAgent(uow: UnitOfWork, conversation: ConversationRow, userId: number, handoffNote: string | null) {
  const { tx } = uow;
  if (userId === conversation.assignedUserId) throw new TakeRefusedError('The conversation is already with that agent');
  const campaign = (await tx.query.campaigns.findFirst({ where: eq(campaigns.id, conversation.campaignId!) }))!;
  const user = await tx.query.users.findFirst({ where: eq(users.id, userId) });
  const member = await tx.query.campaignMembers.findFirst({ where: and(eq(campaignMembers.campaignId, campaign.id), eq(campaignMembers.userId, userId)) });
  if (!user?.enabled || !member) throw new TakeRefusedError(`That agent is not a member of ${campaign.name}`);
  const { state, active: activeBefore } = (await lockAgentLoad(tx, userId))!;
  if (state !== 'available') throw new TakeRefusedError(`${user.displayName} is not available`);
  if (activeBefore >= campaign.maxInteractionsPerAgent) {
    throw new TakeRefusedError(`${user.displayName} already has ${activeBefore} conversations, the most ${campaign.name} allows`);
  }
  const now = new Date();
  const moved = await changeConversationStatus(
    uow,
    conversation,
    { type: conversation.status === 'assigned' ? 'reassign' : 'assign' },
    { assignedUserId: userId, assignedAt: now, handoffNote },
    { via: 'transfer', activeBefore, maxInteractions: campaign.maxInteractionsPerAgent, campaign },
  );
  await tx.update(agentPresence).set({ lastAssignedAt: now }).where(eq(agentPresence.userId, userId));
  return moved;
}

async function toCampaign(uow: UnitOfWork, conversation: ConversationRow, campaignId: number, handoffNote: string | null) {
  const { tx } = uow;
  if (campaignId === conversation.campaignId) throw new TakeRefusedError('The conversation is already in that campaign');
  const campaign = await tx.query.campaigns.findFirst({ where: eq(campaigns.id, campaignId) });
  if (!campaign?.enabled) throw new TakeRefusedError('That campaign does not exist or is disabled');
  if (await queueIsFull(tx, campaign, { lock: true })) throw new TakeRefusedError(`${campaign.name}'s queue is full`);
  const moved =
    conversation.status === 'assigned'
      ? await changeConversationStatus(
          uow,
          conversation,
          { type: 'requeue' },
          { campaignId, handoffNote, requeuedFromUserId: null },
          { releaseReason: 'transferred' },
        )
      : (await tx.update(conversations).set({ campaignId, handoffNote }).where(eq(conversations.id, conversation.id)).returning())[0]!;
  if (conversation.status === 'queued') {
    await withdrawOffers(uow, conversation.id);
    await requestAssignment(uow, conversation.campaignId!);
  }
  await requestAssignment(uow, campaignId);
  return moved;
}
