import type { CloseReason } from '../db/schema/index.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';
import { changeConversationStatus } from './change-status.ts';
import { conversationEvents } from '../conversations/conversation-events.ts';
import type { ConversationRow } from '../conversations/open-conversation.ts';
import { audit } from '../kernel/audit.ts';

/** Closes a conversation with its reason; the agent's freed capacity goes straight back to routing. */
export async function closeConversation(
  uow: UnitOfWork,
  conversation: ConversationRow,
  input: { reason: CloseReason; closedByUserId?: number },
): Promise<ConversationRow> {
  // An agent's freed capacity goes back to routing inside changeConversationStatus.
  const closed = await changeConversationStatus(
    uow,
    conversation,
    { type: 'close', reason: input.reason },
    {
      closedByUserId: input.closedByUserId ?? null,
    },
  );
  await audit(uow.tx, {
    by: { userId: input.closedByUserId ?? null },
    action: 'conversation.closed',
    target: { type: 'conversation', id: conversation.id },
    details: { reason: input.reason, from: conversation.status },
  });
  uow.emit(...(await conversationEvents(uow.tx, [closed.id])));
  return closed;
}
