import { eq } from 'drizzle-orm';
import { conversations, type messages, type OutboundContent } from '../db/schema/index.ts';
import { assertVisible } from '../kernel/assert-visible.ts';
import type { CommandContext } from '../kernel/command.ts';
import { domainErrors } from '../kernel/errors.ts';
import { queueOutboundMessage } from './queue-outbound-message.ts';

/** An agent's reply to a conversation in sight, by its assignee only: queued in the outbox, sent in order. */
export async function replyToConversation(
  { uow, actor }: CommandContext,
  input: { conversationId: number; body: string; content?: OutboundContent },
): Promise<typeof messages.$inferSelect> {
  await assertVisible(uow.tx, actor, { conversationIds: [input.conversationId] });
  const [conversation] = await uow.tx.select().from(conversations).where(eq(conversations.id, input.conversationId)).for('update');
  if (!conversation) throw domainErrors.notFound('Conversation');
  if (conversation.status !== 'assigned' || conversation.assignedUserId !== actor.userId) {
    throw domainErrors.conflict('Only the agent the conversation is assigned to can reply');
  }
  return queueOutboundMessage(uow, { conversation, authorType: 'agent', authorUserId: actor.userId, body: input.body, content: input.content });
}
