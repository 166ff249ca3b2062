import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import type { AuthorType, ConversationStatus } from '../db/schema/index.ts';
import { iso, presentMessages } from '../messages/message-events.ts';
import type { BotSummary, ConversationDetail, ConversationSummary } from '../contract/conversations.ts';

type SummaryRow = {
  id: number;
  status: ConversationStatus;
  close_reason: string | null;
  campaign_id: number | null;
  campaign_name: string | null;
  channel_id: number;
  channel_name: string;
  channel_type: string;
  address: string;
  contact_name: string | null;
  assigned_user_id: number | null;
  assigned_name: string | null;
  last_body: string | null;
  last_author: AuthorType | null;
  last_at: Date | string | null;
  opened_at: Date | string;
  queued_at: Date | string | null;
  assigned_at: Date | string | null;
  closed_at: Date | string | null;
  last_message_at: Date | string;
  handoff_note: string | null;
  chat_time_exceeded_at: Date | string | null;
};

/** A conversation as the console lists it, with the ids event routing needs. */
export type PresentedConversation = { summary: ConversationSummary; campaignId: number | null; assignedUserId: number | null; handoffNote: string | null };

/** Loads and presents conversations matching `where` (a condition on alias `c`), newest activity first. */
export async function presentConversations(db: Executor, where: SQL, limit = 200): Promise<PresentedConversation[]> {
  const rows = (await db.execute(sql`
    select c.id, c.status, c.close_reason, c.campaign_id, k.name as campaign_name,
           c.channel_id, ch.name as channel_name, ch.type as channel_type,
           a.address, p.name as contact_name, c.assigned_user_id, u.display_name as assigned_name,
           lm.body as last_body, lm.author_type as last_author, lm.created_at as last_at,
           c.opened_at, c.queued_at, c.assigned_at, c.closed_at, c.last_message_at, c.handoff_note, c.chat_time_exceeded_at
      from conversations c
      join channels ch on ch.id = c.channel_id
      join contact_addresses a on a.id = c.contact_address_id
      join contacts p on p.id = c.contact_id
      left join campaigns k on k.id = c.campaign_id
      left join users u on u.id = c.assigned_user_id
      left join lateral (
        select m.body, m.author_type, m.created_at from messages m
         where m.conversation_id = c.id order by m.id desc limit 1
      ) lm on true
     where ${where}
     order by c.last_message_at desc
     limit ${limit}`)) as unknown as SummaryRow[];
  return rows.map((row) => ({
    campaignId: row.campaign_id,
    assignedUserId: row.assigned_user_id,
    handoffNote: row.handoff_note,
    summary: {
      id: Number(row.id),
      status: row.status,
      closeReason: row.close_reason,
      campaign: row.campaign_id === null ? null : { id: row.campaign_id, name: row.campaign_name ?? '' },
      channel: { id: row.channel_id, name: row.channel_name, type: row.channel_type },
      customer: { address: row.address, name: row.contact_name },
      assignedTo: row.assigned_user_id === null ? null : { id: row.assigned_user_id, displayName: row.assigned_name ?? '' },
      lastMessage: row.last_at === null ? null : { body: row.last_body ?? '', authorType: row.last_author ?? 'system', at: iso(row.last_at)! },
      openedAt: iso(row.opened_at)!,
      queuedAt: iso(row.queued_at),
      assignedAt: iso(row.assigned_at),
      closedAt: iso(row.closed_at),
      lastMessageAt: iso(row.last_message_at)!,
      chatTimeExceededAt: iso(row.chat_time_exceeded_at),
    },
  }));
}

/** One conversation as the console lists it (what a command's route answers with). */
export async function presentSummary(db: Executor, conversationId: number): Promise<ConversationSummary> {
  const [presented] = await presentConversations(db, sql`c.id = ${conversationId}`);
  return presented!.summary;
}

/** A conversation with its transcript and what the bot learnt, if `where` (on alias `c`) lets it through. */
export async function presentDetail(db: Executor, conversationId: number, where: SQL): Promise<ConversationDetail | null> {
  const [presented] = await presentConversations(db, sql`c.id = ${conversationId} and ${where}`);
  if (!presented) return null;
  const [messageRows, bot] = await Promise.all([presentMessages(db, sql`m.conversation_id = ${conversationId}`), presentBot(db, conversationId)]);
  return { ...presented.summary, handoffNote: presented.handoffNote, ...bot, messages: messageRows.map((row) => row.view) };
}

/** What the bot knows of a conversation (its flow version, where it waits, its variables), for the agent. */
export async function presentBot(db: Executor, conversationId: number): Promise<{ priority: number; bot: BotSummary }> {
  const [row] = (await db.execute(sql`
    select c.priority, c.status, c.bot_state, f.id as flow_id, f.name as flow_name, f.version as flow_version
      from conversations c
      left join bot_flows f on f.id = (c.bot_state->>'flowId')::int
     where c.id = ${conversationId}`)) as unknown as {
    priority: number;
    status: ConversationStatus;
    bot_state: { at?: string | null; vars?: BotSummary['variables'] };
    flow_id: number | null;
    flow_name: string | null;
    flow_version: number | null;
  }[];
  if (!row) return { priority: 0, bot: { flow: null, waitingAt: null, variables: {} } };
  return {
    priority: row.priority,
    bot: {
      flow: row.flow_id === null ? null : { id: row.flow_id, name: row.flow_name ?? '', version: row.flow_version ?? 1 },
      waitingAt: row.status === 'bot' ? (row.bot_state.at ?? null) : null,
      variables: row.bot_state.vars ?? {},
    },
  };
}
