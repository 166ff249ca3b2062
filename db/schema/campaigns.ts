import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { channels } from './channels.ts';
import { securityGroups, users } from './users.ts';
import { ACD_FULL_ACTIONS, CAMPAIGN_DEFAULTS, CAMPAIGN_STRATEGIES, OPT_OUT_DEFAULTS, OPT_OUT_SCOPES } from '../../contract/campaigns.ts';

/** Weekly opening hours in a time zone, plus dated exceptions (holidays). Used by campaigns and dialers. */
export const schedules = pgTable('schedules', {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  name: text().notNull().unique(),
  timeZone: text().notNull().default('UTC'),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** One open interval on a weekday (0 = Sunday), in minutes since local midnight, end exclusive. */
export const scheduleIntervals = pgTable(
  'schedule_intervals',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    scheduleId: integer()
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    dayOfWeek: smallint().notNull(),
    startMinute: smallint().notNull(),
    endMinute: smallint().notNull(),
  },
  (t) => [
    index('schedule_intervals_schedule_idx').on(t.scheduleId),
    check('schedule_intervals_day_check', sql`${t.dayOfWeek} between 0 and 6`),
    check('schedule_intervals_minutes_check', sql`${t.startMinute} >= 0 and ${t.endMinute} <= 1440 and ${t.startMinute} < ${t.endMinute}`),
  ],
);

/** A dated exception: closed all day (no minutes) or open only in the given interval. */
export const scheduleExceptions = pgTable(
  'schedule_exceptions',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    scheduleId: integer()
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    date: date({ mode: 'string' }).notNull(),
    startMinute: smallint(),
    endMinute: smallint(),
    note: text(),
  },
  (t) => [
    index('schedule_exceptions_schedule_date_idx').on(t.scheduleId, t.date),
    check(
      'schedule_exceptions_minutes_check',
      sql`(${t.startMinute} is null and ${t.endMinute} is null) or (${t.startMinute} >= 0 and ${t.endMinute} <= 1440 and ${t.startMinute} < ${t.endMinute})`,
    ),
  ],
);

/** A versioned bot flow document (validated by the bot engine's zod schema). */
export const botFlows = pgTable(
  'bot_flows',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull(),
    version: integer().notNull().default(1),
    definition: jsonb().notNull(),
    createdByUserId: integer().references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('bot_flows_name_version_key').on(t.name, t.version)],
);

export { ACD_FULL_ACTIONS, CAMPAIGN_DEFAULTS, CAMPAIGN_STRATEGIES, OPT_OUT_DEFAULTS, OPT_OUT_SCOPES };
export type { CampaignStrategy } from '../../contract/campaigns.ts';

const textArray = (values: readonly string[]) => sql.raw(`'{${values.map((value) => `"${value}"`).join(',')}}'::text[]`);

/** A campaign is an inbound queue: the seed's basic and advanced settings. */
export const campaigns = pgTable(
  'campaigns',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    name: text().notNull().unique(),
    /** DID-Ports: codes (numbers, ids) the provider uses to identify the campaign. */
    didPorts: text().array().notNull().default(sql`'{}'::text[]`),
    strategy: text({ enum: CAMPAIGN_STRATEGIES }).notNull().default(CAMPAIGN_DEFAULTS.strategy),
    scheduleId: integer().references(() => schedules.id),
    greetingMessage: text(),
    outOfTimeMessage: text(),
    queueFullMessage: text(),
    /** Thresholds, seconds. */
    serviceLevelSeconds: integer().notNull().default(CAMPAIGN_DEFAULTS.serviceLevelSeconds),
    churnSeconds: integer().notNull().default(CAMPAIGN_DEFAULTS.churnSeconds),
    chatTimeSeconds: integer().notNull().default(CAMPAIGN_DEFAULTS.chatTimeSeconds),
    /** ACD: maximum customers waiting for an agent. */
    acdMaxWaiting: integer().notNull().default(CAMPAIGN_DEFAULTS.acdMaxWaiting),
    acdFullAction: text({ enum: ACD_FULL_ACTIONS }).notNull().default(CAMPAIGN_DEFAULTS.acdFullAction),
    maxInteractionsPerAgent: integer().notNull().default(CAMPAIGN_DEFAULTS.maxInteractionsPerAgent),
    /** Seconds an assigned agent has to answer before the conversation is routed again; null = never. */
    agentAnswerTimeoutSeconds: integer(),
    stickyAgent: boolean().notNull().default(CAMPAIGN_DEFAULTS.stickyAgent),
    enabled: boolean().notNull().default(CAMPAIGN_DEFAULTS.enabled),
    securityGroupId: integer().references(() => securityGroups.id),
    botFlowId: integer().references(() => botFlows.id),
    /** Whole-message keywords that work in any state (case and accents ignored). */
    optOutKeywords: text().array().notNull().default(textArray(OPT_OUT_DEFAULTS.optOutKeywords)),
    optInKeywords: text().array().notNull().default(textArray(OPT_OUT_DEFAULTS.optInKeywords)),
    helpKeywords: text().array().notNull().default(textArray(OPT_OUT_DEFAULTS.helpKeywords)),
    optOutScope: text({ enum: OPT_OUT_SCOPES }).notNull().default(CAMPAIGN_DEFAULTS.optOutScope),
    optOutMessage: text().notNull().default(OPT_OUT_DEFAULTS.optOutMessage),
    optInMessage: text().notNull().default(OPT_OUT_DEFAULTS.optInMessage),
    helpMessage: text().notNull().default(OPT_OUT_DEFAULTS.helpMessage),
    /** Round-robin memory: the member position that received the last conversation. */
    lastAssignedPosition: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('campaigns_strategy_check', sql.raw(`strategy in (${CAMPAIGN_STRATEGIES.map((s) => `'${s}'`).join(', ')})`)),
    check('campaigns_acd_full_action_check', sql`${t.acdFullAction} in ('close', 'stay_with_bot')`),
    check('campaigns_opt_out_scope_check', sql`${t.optOutScope} in ('campaign', 'global')`),
    check(
      'campaigns_thresholds_check',
      sql`${t.serviceLevelSeconds} > 0 and ${t.churnSeconds} > 0 and ${t.chatTimeSeconds} > 0 and ${t.acdMaxWaiting} >= 0 and ${t.maxInteractionsPerAgent} > 0`,
    ),
  ],
);

/** The provider channel(s) a campaign receives conversations from. */
export const campaignChannels = pgTable(
  'campaign_channels',
  {
    campaignId: integer()
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    channelId: integer()
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.channelId] }), index('campaign_channels_channel_idx').on(t.channelId)],
);

/** Agents attached to campaigns; position orders them for the linear strategy. */
export const campaignMembers = pgTable(
  'campaign_members',
  {
    campaignId: integer()
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    position: integer().notNull().default(0),
    addedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.userId] }), index('campaign_members_user_idx').on(t.userId)],
);

/** The seed's "pre-setted responses". */
export const cannedResponses = pgTable(
  'canned_responses',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    campaignId: integer()
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    shortcut: text().notNull(),
    body: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('canned_responses_campaign_shortcut_key').on(t.campaignId, t.shortcut)],
);
