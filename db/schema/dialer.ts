import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import { campaigns, schedules } from './campaigns.ts';
import { channels } from './channels.ts';
import { messages } from './conversations.ts';
import { users } from './users.ts';

/** A bulk sender that drains the spool through one provider channel. */
export const dialers = pgTable(
  'dialers',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull().unique(),
    channelId: integer()
      .notNull()
      .references(() => channels.id),
    scheduleId: integer().references(() => schedules.id),
    /** Dinstar port range such as `0-3` (ports 0,1,2,3,0…); empty for providers that need none. */
    dialString: text(),
    timeBetweenMessagesMs: integer().notNull().default(1000),
    batchSize: integer().notNull().default(50),
    enabled: boolean().notNull().default(false),
    /** Started on demand; a dialer runs only while enabled and started. */
    running: boolean().notNull().default(false),
    dncrCheck: boolean().notNull().default(true),
    /** Never send outside 08:00-21:00 in the recipient's local time. */
    quietHours: boolean().notNull().default(false),
    securityGroupId: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('dialers_batch_check', sql`${t.batchSize} between 1 and 10000`),
    check('dialers_throttle_check', sql`${t.timeBetweenMessagesMs} >= 0`),
    check('dialers_running_enabled', sql`not ${t.running} or ${t.enabled}`),
  ],
);

/** One uploaded CSV; its rows import all or nothing. */
export const spoolImports = pgTable('spool_imports', {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  dialerId: integer()
    .notNull()
    .references(() => dialers.id),
  fileName: text().notNull(),
  rowCount: integer().notNull().default(0),
  status: text().notNull().default('importing'),
  createdByUserId: integer().references(() => users.id),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp({ withTimezone: true }),
});

/** Spool states; 0, 1 and 3 keep the old system's numbers. */
export const SPOOL_STATES = {
  NONE: 0,
  TO_PROCESS: 1,
  SENT: 2,
  BLOCKED: 3,
  OTHER: 4,
  FAILED: 5,
  CANCELLED: 6,
} as const;

export const spool = pgTable(
  'spool',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    dialerId: integer()
      .notNull()
      .references(() => dialers.id),
    campaignId: integer()
      .notNull()
      .references(() => campaigns.id),
    importId: integer().references(() => spoolImports.id),
    destination: text().notNull(),
    message: text().notNull(),
    /** Higher first, then entry position. */
    priority: integer().notNull().default(0),
    entryPosition: bigint({ mode: 'number' }).notNull(),
    state: smallint().notNull().default(1),
    attempts: smallint().notNull().default(0),
    device: text(),
    idm: text(),
    data: text(),
    messageId: bigint({ mode: 'number' }).references(() => messages.id),
    providerMessageId: text(),
    deliveryStatus: text(),
    error: text(),
    /** Set when a worker claims the row; a stale claim after a crash is recovered, never silently. */
    claimedAt: timestamp({ withTimezone: true }),
    claimedBy: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index('spool_pending_idx')
      .on(t.dialerId, t.priority.desc(), t.entryPosition)
      .where(sql`state = 1`),
    index('spool_dialer_state_idx').on(t.dialerId, t.state),
    check('spool_state_check', sql`${t.state} between 0 and 6`),
  ],
);

/** Do-not-contact registry: global when campaign_id is null, else for that campaign. */
export const dncr = pgTable(
  'dncr',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    number: text().notNull(),
    campaignId: integer().references(() => campaigns.id, { onDelete: 'cascade' }),
    source: text().notNull().default('manual'),
    createdByUserId: integer().references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('dncr_number_campaign_key').on(t.number, t.campaignId).nullsNotDistinct(),
    check('dncr_source_check', sql`${t.source} in ('manual', 'upload', 'opt_out')`),
  ],
);
