import { and, asc, eq } from 'drizzle-orm';
import { conversations, type ReleaseReason } from '../db/schema/index.ts';
import { changeConversationStatus } from './change-status.ts';
import { emitConversations } from '../conversations/conversation-events.ts';
import type { ConversationRow } from '../conversations/open-conversation.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';
import { requestAssignment } from './queue-conversation.ts';
import { audit } from '../kernel/audit.ts';

/**
 * Sends an assigned conversation back to its campaign's queue. It keeps its place (its original
 * queue time), so it goes ahead of customers who came later, and the agent who let it go is offered
 * it last. The ACD limit does not apply: this customer was already accepted.
 */
export async function requeueConversation(
  uow: UnitOfWork,
  conversation: ConversationRow,
  input: { reason: Extract<ReleaseReason, 'answer_timeout' | 'agent_offline' | 'requeued'>; actorUserId?: number | null },
): Promise<ConversationRow> {
  const requeued = await changeConversationStatus(
    uow,
    conversation,
    { type: 'requeue' },
    { requeuedFromUserId: conversation.assignedUserId },
    { releaseReason: input.reason },
  );
  await requestAssignment(uow, conversation.campaignId!);
  await audit(uow.tx, {
    by: { userId: input.actorUserId ?? null },
    action: 'conversation.requeued',
    target: { type: 'conversation', id: conversation.id },
    details: { reason: input.reason, fromUserId: conversation.assignedUserId },
  });
  emitConversations(uow, [conversation.id], conversation.assignedUserId);
  return requeued;
}

/** An agent went offline (disconnected past the grace period, logged out, logged out by a supervisor): their chats go back to the queue. */
export async function requeueAgentConversations(uow: UnitOfWork, userId: number, actorUserId: number | null): Promise<number> {
  const held = await uow.tx
    .select()
    .from(conversations)
    .where(and(eq(conversations.assignedUserId, userId), eq(conversations.status, 'assigned')))
    .orderBy(asc(conversations.id))
    .for('update');
  for (const conversation of held) await requeueConversation(uow, conversation, { reason: 'agent_offline', actorUserId });
  return held.length;
}
