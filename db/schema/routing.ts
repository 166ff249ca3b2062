import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { campaigns } from './campaigns.ts';
import { conversations } from './conversations.ts';
import { users } from './users.ts';

/** How an agent came to hold a conversation. */
export const ASSIGNMENT_VIAS = ['routing', 'sticky', 'offer', 'take', 'transfer'] as const;
export type AssignmentVia = (typeof ASSIGNMENT_VIAS)[number];

/** Why an agent stopped holding a conversation. */
export const RELEASE_REASONS = ['closed', 'requeued', 'answer_timeout', 'agent_offline', 'transferred', 'returned_to_bot'] as const;
export type ReleaseReason = (typeof RELEASE_REASONS)[number];

/**
 * Every time an agent held a conversation, from assignment to release, stamped with the database
 * clock at the moment of the change. It is the audit the capacity guarantee is checked against
 * (no agent ever held more than the limit at one instant), and the source of handle times and of
 * each agent's completed count.
 */
export const conversationAssignments = pgTable(
  'conversation_assignments',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    conversationId: bigint({ mode: 'number' })
      .notNull()
      .references(() => conversations.id),
    userId: integer()
      .notNull()
      .references(() => users.id),
    campaignId: integer()
      .notNull()
      .references(() => campaigns.id),
    via: text({ enum: ASSIGNMENT_VIAS }).notNull(),
    /** The campaign's max interactions and the agent's active count when it was given, as routing saw them. */
    maxInteractions: integer().notNull(),
    activeBefore: integer().notNull(),
    assignedAt: timestamp({ withTimezone: true }).notNull().default(sql`clock_timestamp()`),
    releasedAt: timestamp({ withTimezone: true }),
    releaseReason: text({ enum: RELEASE_REASONS }),
  },
  (t) => [
    // At most one agent holds a conversation at a time: the database refuses a second open assignment.
    uniqueIndex('conversation_assignments_one_open').on(t.conversationId).where(sql`released_at is null`),
    index('conversation_assignments_conversation_idx').on(t.conversationId),
    index('conversation_assignments_user_idx').on(t.userId, t.assignedAt),
    index('conversation_assignments_released_idx').on(t.campaignId, t.releasedAt),
  ],
);

/** Offer-to-all: a queued conversation shown to an available member; the first to accept takes it. */
export const conversationOffers = pgTable(
  'conversation_offers',
  {
    conversationId: bigint({ mode: 'number' })
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    campaignId: integer()
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    offeredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.userId] }), index('conversation_offers_user_idx').on(t.userId)],
);
