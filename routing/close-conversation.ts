import type { CloseReason } from '../db/schema/index.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';
import { changeConversationStatus, type ConversationChanges } from './change-status.ts';
import { emitConversations } from '../conversations/conversation-events.ts';
import type { ConversationRow } from '../conversations/open-conversation.ts';
import { audit } from '../kernel/audit.ts';
import { eq } from 'drizzle-orm';
import { conversations } from '../db/schema/index.ts';
import { assertVisible } from '../kernel/assert-visible.ts';
import type { CommandContext } from '../kernel/command.ts';
import { domainErrors } from '../kernel/errors.ts';

/** Closes a conversation with its reason; the agent's freed capacity goes straight back to routing. */
export async function closeConversation(
  uow: UnitOfWork,
  conversation: ConversationRow,
  input: { reason: CloseReason; closedByUserId?: number; changes?: ConversationChanges },
): Promise<ConversationRow> {
  // An agent's freed capacity goes back to routing inside changeConversationStatus.
  const closed = await changeConversationStatus(
    uow,
    conversation,
    { type: 'close', reason: input.reason },
    { ...input.changes, closedByUserId: input.closedByUserId ?? null },
  );
  await audit(uow.tx, {
    by: { userId: input.closedByUserId ?? null },
    action: 'conversation.closed',
    target: { type: 'conversation', id: conversation.id },
    details: { reason: input.reason, from: conversation.status },
  });
  emitConversations(uow, [closed.id]);
  return closed;
}

/** A person closes a conversation in sight: its assignee (`agent_closed`) or a supervisor (`supervisor_closed`); an agent only their own. */
export async function closeConversationAs({ uow, actor }: CommandContext, { conversationId }: { conversationId: number }): Promise<ConversationRow> {
  await assertVisible(uow.tx, actor, { conversationIds: [conversationId] });
  const [conversation] = await uow.tx.select().from(conversations).where(eq(conversations.id, conversationId)).for('update');
  if (!conversation) throw domainErrors.notFound('Conversation');
  const isAssignee = conversation.status === 'assigned' && conversation.assignedUserId === actor.userId;
  if (actor.role === 'agent' && !isAssignee) throw domainErrors.conflict('Only the agent the conversation is assigned to can close it');
  return closeConversation(uow, conversation, { reason: isAssignee ? 'agent_closed' : 'supervisor_closed', closedByUserId: actor.userId });
}
