import { sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import { audience } from '../messages/message-events.ts';
import { presentConversations } from './presenters.ts';
import { rooms, type LiveEvent } from '../kernel/realtime.ts';

/**
 * `conversation.upserted` for each conversation, to its audience; `previousAssignee` (an agent the
 * conversation just left: handed back to the bot or the queue) is told too, so it leaves their inbox.
 */
export async function conversationEvents(db: Executor, conversationIds: readonly number[], previousAssignee: number | null = null): Promise<LiveEvent[]> {
  if (conversationIds.length === 0) return [];
  const presented = await presentConversations(db, sql`c.id in ${conversationIds}`);
  return presented.map(({ summary, campaignId, assignedUserId }) => ({
    rooms: [
      ...audience(campaignId, assignedUserId),
      ...(previousAssignee !== null && previousAssignee !== assignedUserId ? [rooms.user(previousAssignee)] : []),
    ],
    event: 'conversation.upserted',
    payload: summary,
  }));
}
