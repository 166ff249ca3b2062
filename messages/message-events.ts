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

const PRESENTED = sql`m.id, m.conversation_id, m.direction, m.author_type, m.author_user_id, u.display_name as author_name,
           m.bot_node, m.body, m.content, m.status, m.error_code, m.error_message, m.created_at,
           c.campaign_id, c.assigned_user_id`;

/** Loads and presents messages matching `where` (a condition on alias `m`), oldest first. */
export async function presentMessages(db: Executor, where: SQL): Promise<PresentedMessage[]> {
  const rows = (await db.execute(sql`
    select ${PRESENTED}
      from messages m
      join conversations c on c.id = m.conversation_id
      left join users u on u.id = m.author_user_id
     where ${where}
     order by m.id`)) as unknown as MessageRow[];
  return rows.map(present);
}

/**
 * Changes messages and presents the changed rows in the same statement: `change` is an UPDATE of
 * `messages` ending in `returning *` (its rows become alias `m`).
 */
export async function changeAndPresentMessages(db: Executor, change: SQL): Promise<PresentedMessage[]> {
  const rows = (await db.execute(sql`
    with m as (${change})
    select ${PRESENTED}
      from m
      join conversations c on c.id = m.conversation_id
      left join users u on u.id = m.author_user_id
     order by m.id`)) as unknown as MessageRow[];
  return rows.map(present);
}

/** A message row as its statement returned it, with its conversation's audience, presented without a query. */
export function presentMessageRow(
  message: {
    id: number;
    conversationId: number | null;
    direction: 'inbound' | 'outbound';
    authorType: AuthorType;
    authorUserId: number | null;
    botNode: string | null;
    body: string;
    content: OutboundContent | null;
    status: MessageStatus;
    errorCode: string | null;
    errorMessage: string | null;
    createdAt: Date;
  },
  conversation: { campaignId: number | null; assignedUserId: number | null },
  authorName: string | null,
): PresentedMessage {
  return present({
    id: message.id,
    conversation_id: message.conversationId!,
    direction: message.direction,
    author_type: message.authorType,
    author_user_id: message.authorUserId,
    author_name: authorName,
    bot_node: message.botNode,
    body: message.body,
    content: message.content,
    status: message.status,
    error_code: message.errorCode,
    error_message: message.errorMessage,
    created_at: message.createdAt,
    campaign_id: conversation.campaignId,
    assigned_user_id: conversation.assignedUserId,
  });
}

/** The events of presented messages, each to its conversation's audience. */
export function presentedMessageEvents(presented: readonly PresentedMessage[], event: 'message.created' | 'message.updated'): LiveEvent[] {
  return presented.map(({ view, campaignId, assignedUserId }) => ({ rooms: audience(campaignId, assignedUserId), event, payload: view }));
}

function present(row: MessageRow): PresentedMessage {
  return {
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
  };
}

/** `message.created` / `message.updated` for each message, to the conversation's audience. */
export async function messageEvents(db: Executor, messageIds: readonly number[], event: 'message.created' | 'message.updated'): Promise<LiveEvent[]> {
  if (messageIds.length === 0) return [];
  return presentedMessageEvents(await presentMessages(db, sql`m.id in ${messageIds}`), event);
}
