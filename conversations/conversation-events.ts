import { sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import { presentConversations, presentMessages } from './presenters.ts';
import { rooms, type LiveEvent } from '../kernel/realtime.ts';

/** Who watches a conversation: its assignee (current, or last once closed) and the supervisors of its campaign. */
function audience(campaignId: number | null, assignedUserId: number | null): string[] {
  const targets = [campaignId === null ? rooms.unrouted : rooms.campaign(campaignId)];
  if (assignedUserId !== null) targets.push(rooms.user(assignedUserId));
  return targets;
}

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

/** `message.created` / `message.updated` for each message, to the conversation's audience. */
export async function messageEvents(db: Executor, messageIds: readonly number[], event: 'message.created' | 'message.updated'): Promise<LiveEvent[]> {
  if (messageIds.length === 0) return [];
  const presented = await presentMessages(db, sql`m.id in ${messageIds}`);
  return presented.map(({ view, campaignId, assignedUserId }) => ({
    rooms: audience(campaignId, assignedUserId),
    event,
    payload: view,
  }));
}
