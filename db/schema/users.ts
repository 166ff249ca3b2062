import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { dialers } from './dialer.ts';

export const USER_ROLES = ['agent', 'supervisor', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** A security group scopes what a user sees: campaigns, conversations, dialers of their groups only. */
export const securityGroups = pgTable('security_groups', {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  name: text().notNull().unique(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const users = pgTable(
  'users',
  {
    id: integer().primaryKey().generatedAlwaysAsIdentity(),
    username: text().notNull().unique(),
    displayName: text().notNull(),
    role: text({ enum: USER_ROLES }).notNull(),
    /** scrypt hash in PHC-like form; never leaves the server. */
    passwordHash: text().notNull(),
    enabled: boolean().notNull().default(true),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('users_role_check', sql`${t.role} in ('agent', 'supervisor', 'admin')`)],
);

export const userSecurityGroups = pgTable(
  'user_security_groups',
  {
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    securityGroupId: integer()
      .notNull()
      .references(() => securityGroups.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.securityGroupId] })],
);

/** Console login sessions; the cookie holds a random token, the table only its SHA-256. */
export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text().primaryKey(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    /** Set on logout or when a supervisor logs the agent out. */
    revokedAt: timestamp({ withTimezone: true }),
    userAgent: text(),
    ip: text(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Keys for the SendSMS / REST web service: hashed at rest, scoped to campaigns, revocable. */
export const apiKeys = pgTable('api_keys', {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  name: text().notNull(),
  /** First characters of the key, shown in the console to tell keys apart. */
  prefix: text().notNull(),
  keyHash: text().notNull().unique(),
  /** Campaign ids this key may send for; empty means every campaign of its security group. */
  campaignIds: integer().array().notNull().default(sql`'{}'::integer[]`),
  securityGroupId: integer().references(() => securityGroups.id),
  /** The dialer its web-service messages go through (the legacy SendSMS names none). */
  dialerId: integer().references((): AnyPgColumn => dialers.id),
  createdByUserId: integer().references(() => users.id),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp({ withTimezone: true }),
  revokedAt: timestamp({ withTimezone: true }),
});
