import { sql } from 'drizzle-orm';
import { boolean, check, doublePrecision, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

import { CHANNEL_TYPES } from '../../contract/channels.ts';

export { CHANNEL_TYPES };
export type { ChannelType } from '../../contract/channels.ts';

/** A provider connection ("SMS provider" in the seed). Settings are validated by the channel's own zod schema. */
export const channels = pgTable(
  'channels',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    type: text({ enum: CHANNEL_TYPES }).notNull(),
    name: text().notNull().unique(),
    /** The channel's own number / sender id / DID, as customers see it. */
    address: text(),
    /** ISO 3166 country used to read national numbers as E.164. */
    defaultCountry: text().notNull().default('UY'),
    settings: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** Write-only through the API; never presented, never logged. */
    secrets: jsonb().$type<Record<string, string>>().notNull().default({}),
    enabled: boolean().notNull().default(true),
    /** Sends per second across every node; null takes the channel type's default. */
    sendsPerSecond: doublePrecision(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('channels_sends_per_second_check', sql`${t.sendsPerSecond} is null or ${t.sendsPerSecond} > 0`),
    check('channels_type_check', sql.raw(`type in (${CHANNEL_TYPES.map((type) => `'${type}'`).join(', ')})`)),
  ],
);

/** Session-channel credentials (Baileys creds and signal keys, …) kept in PostgreSQL, never in files. */
export const channelAuthState = pgTable(
  'channel_auth_state',
  {
    channelId: integer()
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    kind: text().notNull(),
    key: text().notNull(),
    value: jsonb().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.kind, t.key] })],
);

/** One live session per number, held by exactly one node: a lease renewed while connected. */
export const channelLeases = pgTable('channel_leases', {
  channelId: integer()
    .primaryKey()
    .references(() => channels.id, { onDelete: 'cascade' }),
  nodeId: text().notNull(),
  expiresAt: timestamp({ withTimezone: true }).notNull(),
  /** Session state shown in the console: connecting, qr, open, error, logged_out. */
  state: text().notNull().default('connecting'),
  qr: text(),
  /** Why the session is not open (the provider's or the device's words). */
  detail: text(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * The next free send slot of a channel, shared by every node: each send reserves the slot after the
 * last one (a virtual-scheduling rate limit), so the channel's rate holds however many workers send.
 */
export const channelSendPacing = pgTable('channel_send_pacing', {
  channelId: integer()
    .primaryKey()
    .references(() => channels.id, { onDelete: 'cascade' }),
  nextSlotAt: timestamp({ withTimezone: true, precision: 6 }).notNull(),
});
