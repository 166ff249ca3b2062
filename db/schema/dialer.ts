import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { campaigns, schedules } from './campaigns.ts';
import { channels } from './channels.ts';
import { users } from './users.ts';

/** An approved WhatsApp template a Cloud API dialer sends, its body variables taken from each row. */
export type DialerTemplate = { name: string; language: string };

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
    /** Cloud API dialers: the approved template each row fills (its `message` holds the variables, `|`-separated). */
    template: jsonb().$type<DialerTemplate>(),
    /** Dialer-wide pacing: the time its next send may start, shared by every worker on every node. */
    nextSlotAt: timestamp({ withTimezone: true }),
    /** When it was last started or stopped, and by whom (the monitor shows it). */
    runningChangedAt: timestamp({ withTimezone: true }),
    runningChangedByUserId: integer().references(() => users.id),
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
  byteCount: bigint({ mode: 'number' }).notNull().default(0),
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

/**
 * The broadcast queue. Deliberately without per-row foreign keys: a million-row import would pay one
 * RI check per row per key. Integrity is kept from the other side instead (a dialer or campaign with
 * spool rows cannot be deleted: `spool_parent_guard` triggers) and by the importer, which resolves
 * every campaign name first. `id` draws from the messages' sequence, so a provider id derived from
 * it (Dinstar's `user_id`) never names a conversation message and a spool row at once; it is also
 * the entry position (rows get ids in file order).
 */
export const spool = pgTable(
  'spool',
  {
    id: bigint({ mode: 'number' }).primaryKey().default(sql`nextval('messages_id_seq')`),
    dialerId: integer().notNull(),
    campaignId: integer().notNull(),
    importId: integer(),
    destination: text().notNull(),
    message: text().notNull(),
    /** Higher first, then entry position (id). CSV rows take 0..999999; single sends go first. */
    priority: integer().notNull().default(0),
    state: smallint().notNull().default(1),
    /** Claims so far: 2 or more means it was handed out again after a worker died mid-batch. */
    attempts: smallint().notNull().default(0),
    device: text(),
    idm: text(),
    data: text(),
    /** Quiet hours: not before this instant (the recipient's 08:00). */
    notBefore: timestamp({ withTimezone: true }),
    providerMessageId: text(),
    deliveryStatus: text(),
    deliveryStatusAt: timestamp({ withTimezone: true }),
    error: text(),
    /** Set when a worker claims the row; a stale claim after a crash is recovered, never silently. */
    claimedAt: timestamp({ withTimezone: true }),
    claimedBy: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    // The claim's index: only rows still waiting and unclaimed, in claim order.
    index('spool_pending_idx').on(t.dialerId, t.priority.desc(), t.id).where(sql`state = 1 and claimed_at is null`),
    index('spool_provider_idx').on(t.providerMessageId).where(sql`provider_message_id is not null`),
    check('spool_state_check', sql`${t.state} between 0 and 6`),
  ],
);

/**
 * Rows per dialer, campaign and state, kept exact by statement-level triggers on `spool` (one upsert
 * per statement, from its transition tables): the monitor reads it instead of counting millions of rows.
 */
export const spoolCounts = pgTable(
  'spool_counts',
  {
    dialerId: integer().notNull(),
    campaignId: integer().notNull(),
    state: smallint().notNull(),
    count: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.dialerId, t.campaignId, t.state] })],
);

/** Rows sent per dialer and minute (from the same triggers): the monitor's "sent per minute". */
export const spoolSentMinutes = pgTable(
  'spool_sent_minutes',
  {
    dialerId: integer().notNull(),
    minute: timestamp({ withTimezone: true }).notNull(),
    sent: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.dialerId, t.minute] })],
);

/** Each dialer worker's heartbeat: the claims of a worker whose heartbeat stopped are recovered. */
export const dialerWorkers = pgTable('dialer_workers', {
  id: text().primaryKey(),
  node: text().notNull(),
  pid: integer().notNull(),
  startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  heartbeatAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

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
