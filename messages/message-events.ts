import { sql, type SQL } from 'drizzle-orm';
import type { MessageView } from '../contract/conversations.ts';
import type { Executor } from '../db/connection.ts';
import type { AuthorType, MessageStatus, OutboundContent } from '../db/schema/index.ts';
import { type LiveEvent, rooms } from '../kernel/realtime.ts';

/** A timestamp as the wire carries it. */
export const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

/** Who watches a conversation: its assignee (current, or last once closed) and the supervisors of its campaign. */
export function audience(campaignId: number | null, assignedUserId: number | null): string[] {
  const targets = [campaignId === null ? rooms.unrouted : rooms.campaign(campaignId)];
  if (assignedUserId !== null) targets.push(rooms.user(assignedUserId));
  return targets;
}

type MessageRow = {
  id: number;
  conversation_id: number;
  direction: 'inbound' | 'outbound';
  author_type: AuthorType;
  author_user_id: number | null;
  author_name: string | null;
  bot_node: string | null;
  body: string;
  content: OutboundContent | null;
  status: MessageStatus;
  error_code: string | null;
  error_message: string | null;
  created_at: Date | string;
  campaign_id: number | null;
  assigned_user_id: number | null;
};

export type PresentedMessage = { view: MessageView; campaignId: number | null; assignedUserId: number | null };

/** Loads and presents messages matching `where` (a condition on alias `m`), oldest first. */
export async function presentMessages(db: Executor, where: SQL): Promise<PresentedMessage[]> {
  const rows = (await db.execute(sql`
    select m.id, m.conversation_id, m.direction, m.author_type, m.author_user_id, u.display_name as author_name,
           m.bot_node, m.body, m.content, m.status, m.error_code, m.error_message, m.created_at,
           c.campaign_id, c.assigned_user_id
      from messages m
      join conversations c on c.id = m.conversation_id
      left join users u on u.id = m.author_user_id
     where ${where}
     order by m.id`)) as unknown as MessageRow[];
  return rows.map((row) => ({
    campaignId: row.campaign_id,
    assignedUserId: row.assigned_user_id,
    view: {
      id: Number(row.id),
      conversationId: Number(row.conversation_id),
      direction: row.direction,
      author: row.author_type === 'agent' ? `agent:${row.author_user_id}` : row.author_type,
      authorType: row.author_type,
      authorName: row.author_name,
      botNode: row.bot_node,
      body: row.body,
      content: row.content ?? null,
      status: row.status,
      error: row.error_code || row.error_message ? { code: row.error_code, message: row.error_message } : null,
      createdAt: iso(row.created_at)!,
    },
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
