import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, smallint, text, timestamp, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { campaigns } from './campaigns.ts';
import { channels } from './channels.ts';
import { contactAddresses, contacts } from './contacts.ts';
import { users } from './users.ts';

import { AUTHOR_TYPES, CONVERSATION_STATUSES, MESSAGE_STATUSES, type OutboundContent } from '../../contract/conversations.ts';

export { AUTHOR_TYPES, CONVERSATION_STATUSES, MESSAGE_STATUSES };
export type { AuthorType, ConversationStatus, MessageStatus, OutboundContent } from '../../contract/conversations.ts';

export const CLOSE_REASONS = [
  'agent_closed',
  'supervisor_closed',
  'bot_resolved',
  'bot_timeout',
  'out_of_hours',
  'abandoned',
  'queue_full',
  'opted_out',
  'campaign_disabled',
] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

const list = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

/**
 * One customer interaction on one channel. Every metric (ASA, handle time, service level, abandons)
 * derives from these timestamps.
 */
export const conversations = pgTable(
  'conversations',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    channelId: integer()
      .notNull()
      .references(() => channels.id),
    contactId: bigint({ mode: 'number' })
      .notNull()
      .references(() => contacts.id),
    contactAddressId: bigint({ mode: 'number' })
      .notNull()
      .references(() => contactAddresses.id),
    campaignId: integer().references(() => campaigns.id),
    status: text({ enum: CONVERSATION_STATUSES }).notNull().default('bot'),
    closeReason: text({ enum: CLOSE_REASONS }),
    assignedUserId: integer().references(() => users.id),
    /** Higher waits less; then waiting time. */
    priority: smallint().notNull().default(0),
    /** Bot engine session (node, variables, tries), persisted so it survives restarts. */
    botState: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** When the bot gives up waiting for the customer and closes the conversation (inactivity). */
    botExpiresAt: timestamp({ withTimezone: true }),
    handoffNote: text(),
    /** The agent who last let this conversation go back to the queue (no answer, went offline): offered last. */
    requeuedFromUserId: integer().references(() => users.id),
    /** When the chat passed its campaign's chat time (flagged to the agent and supervisors); reset on reassignment. */
    chatTimeExceededAt: timestamp({ withTimezone: true }),
    greetedAt: timestamp({ withTimezone: true }),
    outOfHoursNotifiedAt: timestamp({ withTimezone: true }),
    openedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** When it entered the queue; kept when it returns there, so a requeued customer goes ahead of newer ones. */
    queuedAt: timestamp({ withTimezone: true }),
    assignedAt: timestamp({ withTimezone: true }),
    firstAgentReplyAt: timestamp({ withTimezone: true }),
    lastMessageAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastContactMessageAt: timestamp({ withTimezone: true }),
    closedAt: timestamp({ withTimezone: true }),
    closedByUserId: integer().references(() => users.id),
  },
  (t) => [
    // The invariant "one open conversation per contact per channel" lives in the database, so two
    // workers opening a conversation for the same customer at once cannot both succeed.
    uniqueIndex('conversations_one_open_per_contact_channel').on(t.channelId, t.contactId).where(sql`status <> 'closed'`),
    index('conversations_queue_idx').on(t.campaignId, t.priority.desc(), t.queuedAt).where(sql`status = 'queued'`),
    index('conversations_assigned_idx').on(t.assignedUserId).where(sql`status = 'assigned'`),
    index('conversations_opened_idx').on(t.openedAt),
    index('conversations_closed_idx').on(t.campaignId, t.closedAt).where(sql`status = 'closed'`),
    index('conversations_first_reply_idx').on(t.campaignId, t.firstAgentReplyAt),
    index('conversations_contact_idx').on(t.contactId, t.id),
    index('conversations_bot_expiry_idx').on(t.botExpiresAt).where(sql`status = 'bot'`),
    check('conversations_status_check', sql.raw(`status in (${list(CONVERSATION_STATUSES)})`)),
    check('conversations_close_reason_check', sql.raw(`(status = 'closed') = (close_reason is not null and closed_at is not null)`)),
    check('conversations_close_reason_values', sql.raw(`close_reason is null or close_reason in (${list(CLOSE_REASONS)})`)),
    check('conversations_assigned_has_agent', sql.raw(`status <> 'assigned' or assigned_user_id is not null`)),
    check('conversations_queued_has_campaign', sql.raw(`status not in ('queued', 'assigned') or campaign_id is not null`)),
  ],
);

export const MESSAGE_DIRECTIONS = ['inbound', 'outbound'] as const;

export type MessageMedia = { url: string; contentType?: string; fileName?: string; caption?: string };

/** Every message of a transcript, bot and human turns together, with its author and delivery status. */
export const messages = pgTable(
  'messages',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    conversationId: bigint({ mode: 'number' }).references(() => conversations.id),
    channelId: integer()
      .notNull()
      .references(() => channels.id),
    direction: text({ enum: MESSAGE_DIRECTIONS }).notNull(),
    authorType: text({ enum: AUTHOR_TYPES }).notNull(),
    authorUserId: integer().references(() => users.id),
    /** For bot messages: the flow node that produced it. */
    botNode: text(),
    /** Counterpart address: sender for inbound, recipient for outbound. */
    address: text().notNull(),
    body: text().notNull().default(''),
    media: jsonb().$type<MessageMedia[]>().notNull().default([]),
    /** Outbound rich content (template, buttons, list); null for plain text. */
    content: jsonb().$type<OutboundContent>(),
    /** Provider's id (Twilio SID, wamid, modem reference…); unique per channel so duplicates are dropped. */
    providerMessageId: text(),
    status: text({ enum: MESSAGE_STATUSES }).notNull(),
    errorCode: text(),
    errorMessage: text(),
    encoding: text(),
    segments: smallint(),
    /** Provider payload fields worth keeping (profile name, raw type…), never secrets. */
    metadata: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    providerTimestamp: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
    deliveredAt: timestamp({ withTimezone: true }),
    readAt: timestamp({ withTimezone: true }),
    failedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique('messages_channel_provider_id_key').on(t.channelId, t.providerMessageId),
    index('messages_conversation_idx').on(t.conversationId, t.id),
    // Inbound messages not yet attached to a conversation, per customer (the inbound job drains them).
    index('messages_pending_inbound_idx').on(t.channelId, t.address, t.id).where(sql`conversation_id is null and direction = 'inbound'`),
    // Outbound messages waiting to be sent, per customer (the send job drains them in id order).
    index('messages_queued_outbound_idx').on(t.channelId, t.address, t.id).where(sql`status = 'queued' and direction = 'outbound'`),
    check('messages_direction_check', sql.raw(`direction in (${list(MESSAGE_DIRECTIONS)})`)),
    check('messages_author_check', sql.raw(`author_type in (${list(AUTHOR_TYPES)})`)),
    check('messages_status_check', sql.raw(`status in (${list(MESSAGE_STATUSES)})`)),
    check('messages_agent_has_user', sql.raw(`author_type <> 'agent' or author_user_id is not null`)),
    check('messages_direction_author', sql.raw(`(direction = 'inbound') = (author_type = 'contact')`)),
  ],
);

/** Internal chat between supervisors and agents (never sent to customers). */
export const agentChatMessages = pgTable(
  'agent_chat_messages',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    fromUserId: integer()
      .notNull()
      .references(() => users.id),
    toUserId: integer()
      .notNull()
      .references(() => users.id),
    conversationId: bigint({ mode: 'number' }).references(() => conversations.id),
    body: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('agent_chat_messages_to_idx').on(t.toUserId, t.createdAt)],
);
