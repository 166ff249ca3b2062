import { and, eq } from 'drizzle-orm';
import { lockAgentLoad } from './agent-load.ts';
import { campaignMembers, campaigns, conversations } from '../db/schema/index.ts';
import { changeConversationStatus } from './change-status.ts';
import { emitConversations } from '../conversations/conversation-events.ts';
import type { ConversationRow } from '../conversations/open-conversation.ts';
import { TransitionError } from '../conversations/conversation-status.ts';
import { DomainError, domainErrors } from '../kernel/errors.ts';
import { audit } from '../kernel/audit.ts';
import type { CommandContext } from '../kernel/command.ts';

export class TakeRefusedError extends DomainError {
  override name = 'TakeRefusedError';
  constructor(message: string) {
    super('conflict', 'conflict', message);
  }
}

/**
 * An agent (or a supervisor) takes a conversation from the bot or the queue: the bot stops at once
 * (its turn in flight finds the conversation no longer its own and drops its replies). Agents may
 * take only from campaigns they are members of, and never past the campaign's max interactions.
 */
export async function takeConversation({ uow, actor }: CommandContext, { conversationId }: { conversationId: number }): Promise<ConversationRow> {
  const { tx } = uow;
  const [conversation] = await tx.select().from(conversations).where(eq(conversations.id, conversationId)).for('update');
  // An agent may take from the campaigns they are members of: any other conversation does not exist
  // for them, whatever its state (the route checks the others' sight).
  const member =
    actor.role !== 'agent' ||
    (conversation?.campaignId != null &&
      (await tx.query.campaignMembers.findFirst({
        where: and(eq(campaignMembers.campaignId, conversation.campaignId), eq(campaignMembers.userId, actor.userId)),
      })) !== undefined);
  if (!conversation || !member) throw domainErrors.notFound('Conversation');
  if (conversation.status !== 'bot' && conversation.status !== 'queued') {
    throw new TransitionError(conversation.status === 'assigned' ? 'An agent already has this conversation' : 'The conversation is closed');
  }
  if (conversation.campaignId === null) throw new TakeRefusedError('The conversation has no campaign to be taken from');
  const campaign = (await tx.query.campaigns.findFirst({ where: eq(campaigns.id, conversation.campaignId) }))!;
  // Taking is deliberate: it needs no Available state, but never goes past the limit.
  const { active: n } = (await lockAgentLoad(tx, actor.userId))!;
  if (n >= campaign.maxInteractionsPerAgent) {
    throw new TakeRefusedError(`You already have ${n} conversation${n === 1 ? '' : 's'}, the most ${campaign.name} allows`);
  }
  const queued = conversation.status === 'bot' ? await changeConversationStatus(uow, conversation, { type: 'handoff' }, { botExpiresAt: null }) : conversation;
  const taken = await changeConversationStatus(
    uow,
    queued,
    { type: 'assign' },
    { assignedUserId: actor.userId, assignedAt: new Date() },
    { via: 'take', activeBefore: n, maxInteractions: campaign.maxInteractionsPerAgent },
  );
  await audit(tx, {
    by: { userId: actor.userId },
    action: 'conversation.taken',
    target: { type: 'conversation', id: conversation.id },
    details: { from: conversation.status },
  });
  emitConversations(uow, [conversation.id]);
  return taken;
}
