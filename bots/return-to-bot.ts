import { and, eq, max } from 'drizzle-orm';
import { conversations, messages, type UserRole } from '../db/schema/index.ts';
import { changeConversationStatus } from '../routing/change-status.ts';
import { emitConversations } from '../conversations/conversation-events.ts';
import { TransitionError } from '../conversations/conversation-status.ts';
import { inTransaction } from '../kernel/unit-of-work.ts';
import { playBotTurn, readBotState, type BotServices, type StoredBotState } from './bot-turn.ts';
import { newSession } from './flow-engine.ts';
import { audit } from '../kernel/audit.ts';

/**
 * Hands a queued or assigned conversation back to the bot (the agent holding it, or a supervisor):
 * the agent's capacity frees at once, and the bot starts its campaign's flow again (at `node` when
 * given), keeping what it had learnt in its variables.
 */
export async function returnToBot(services: BotServices, conversationId: number, actor: { userId: number; role: UserRole }, node?: string): Promise<void> {
  await inTransaction(services, async (uow) => {
    const [conversation] = await uow.tx.select().from(conversations).where(eq(conversations.id, conversationId)).for('update');
    if (!conversation) throw new TransitionError('The conversation does not exist');
    if (actor.role === 'agent' && !(conversation.status === 'assigned' && conversation.assignedUserId === actor.userId)) {
      throw new TransitionError('Only the agent the conversation is assigned to can hand it back to the bot');
    }
    const previous = readBotState(conversation.botState);
    // What the customer wrote to the agent is not the bot's to answer: `handled` moves past it.
    const [latest] = await uow.tx
      .select({ id: max(messages.id) })
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'inbound')));
    // A fresh session of the campaign's current flow; the turn counter goes on, so no older turn applies.
    const state: StoredBotState = {
      ...newSession(null),
      vars: previous?.vars ?? {},
      turn: (previous?.turn ?? 0) + 1,
      handled: Math.max(previous?.handled ?? 0, Number(latest?.id ?? 0)),
    };
    // Leaving an agent frees their capacity for routing (changeConversationStatus asks for it).
    await changeConversationStatus(uow, conversation, { type: 'return_to_bot' }, { botState: state, handoffNote: null, priority: 0 });
    await audit(uow.tx, {
      by: { userId: actor.userId },
      action: 'conversation.returned_to_bot',
      target: { type: 'conversation', id: conversation.id },
      details: { from: conversation.status, node: node ?? null },
    });
    emitConversations(uow, [conversation.id], conversation.assignedUserId);
  });
  await playBotTurn(services, conversationId, { type: 'enter', ...(node ? { node } : {}) });
}
