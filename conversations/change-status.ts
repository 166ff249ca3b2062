import { and, eq } from 'drizzle-orm';
import { conversations } from '../db/schema/index.ts';
import type { Tx } from '../db/connection.ts';
import { transition, TransitionError, type ConversationEvent } from './conversation-status.ts';
import type { ConversationRow } from './open-conversation.ts';

type Changes = Partial<Omit<typeof conversations.$inferInsert, 'id' | 'status'>>;

/**
 * Moves a conversation through the state machine. The update is guarded by the status it was read
 * in, so a concurrent change (an agent closing while routing assigns) makes this one fail instead of
 * silently overwriting it.
 */
export async function changeConversationStatus(
  tx: Tx,
  conversation: ConversationRow,
  event: ConversationEvent,
  changes: Changes = {},
): Promise<ConversationRow> {
  const status = transition(conversation.status, event);
  const now = new Date();
  const stamps: Changes =
    event.type === 'close'
      ? { closeReason: event.reason, closedAt: now }
      : event.type === 'handoff' || event.type === 'requeue'
        ? { queuedAt: now, assignedUserId: null, assignedAt: null }
        : event.type === 'return_to_bot'
          ? { assignedUserId: null, assignedAt: null, queuedAt: null }
          : {};
  const [updated] = await tx
    .update(conversations)
    .set({ ...stamps, ...changes, status })
    .where(and(eq(conversations.id, conversation.id), eq(conversations.status, conversation.status)))
    .returning();
  if (!updated) throw new TransitionError(`Conversation ${conversation.id} changed while it was being updated`);
  return updated;
}
