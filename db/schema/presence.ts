import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './users.ts';

export const PRESENCE_STATES = ['offline', 'available', 'break'] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

/** Named breaks (lunch, training…) an agent can take. */
export const breaks = pgTable('breaks', {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  name: text().notNull().unique(),
});

/**
 * An agent's current presence; "busy" is derived (available and at capacity). This row is also the
 * lock routing takes before giving the agent a conversation.
 */
export const agentPresence = pgTable(
  'agent_presence',
  {
    userId: integer()
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    state: text({ enum: PRESENCE_STATES }).notNull().default('offline'),
    breakName: text(),
    since: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** For longest-idle and round-robin strategies. */
    lastAssignedAt: timestamp({ withTimezone: true }),
    /** Console sockets: when the agent's last one connected and when the last one went away (grace period). */
    connectedAt: timestamp({ withTimezone: true }),
    disconnectedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    check('agent_presence_state_check', sql`${t.state} in ('offline', 'available', 'break')`),
    check('agent_presence_break_name', sql`(${t.state} = 'break') = (${t.breakName} is not null)`),
  ],
);

/** Every presence change, with its time and who made it (the agent or a supervisor). */
export const agentPresenceLog = pgTable(
  'agent_presence_log',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    state: text({ enum: PRESENCE_STATES }).notNull(),
    breakName: text(),
    changedByUserId: integer().references(() => users.id),
    reason: text(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('agent_presence_log_user_idx').on(t.userId, t.at)],
);
