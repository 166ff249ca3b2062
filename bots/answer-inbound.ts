import { eq } from 'drizzle-orm';
import { campaigns, conversations } from '../db/schema/index.ts';
import type { ConversationRow } from '../conversations/open-conversation.ts';
import { queueOutboundMessage } from '../conversations/queue-outbound-message.ts';
import { queueConversation } from '../routing/queue-conversation.ts';
import type { UnitOfWork } from '../server/unit-of-work.ts';
import { isScheduleOpen } from './campaign-schedule.ts';

export type Campaign = typeof campaigns.$inferSelect;

/**
 * The bot's turn for a conversation it holds: the out-of-hours message (once per conversation) when
 * the campaign's schedule is closed, else the greeting (once) and the handoff to the campaign queue.
 * The flow engine (bot flows as data) replaces the middle of this in the bot layer issue.
 */
export async function answerInbound(uow: UnitOfWork, conversation: ConversationRow, campaign: Campaign | null): Promise<ConversationRow> {
  if (!campaign || !campaign.enabled) return conversation;
  const now = new Date();
  if (!(await isScheduleOpen(uow.tx, campaign.scheduleId, now))) {
    if (conversation.outOfHoursNotifiedAt) return conversation;
    if (campaign.outOfTimeMessage) {
      await queueOutboundMessage(uow, { conversation, authorType: 'bot', botNode: 'out_of_hours', body: campaign.outOfTimeMessage });
    }
    const [updated] = await uow.tx
      .update(conversations)
      .set({ outOfHoursNotifiedAt: now })
      .where(eq(conversations.id, conversation.id))
      .returning();
    return updated!;
  }
  let current = conversation;
  if (!current.greetedAt) {
    if (campaign.greetingMessage) {
      await queueOutboundMessage(uow, { conversation: current, authorType: 'bot', botNode: 'greeting', body: campaign.greetingMessage });
    }
    const [updated] = await uow.tx
      .update(conversations)
      .set({ greetedAt: now })
      .where(eq(conversations.id, current.id))
      .returning();
    current = updated!;
  }
  return queueConversation(uow, current, campaign);
}
