import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/connection.ts';
import {
  botFlows,
  campaignChannels,
  campaignMembers,
  campaigns,
  channels,
  dialers,
  scheduleExceptions,
  scheduleIntervals,
  schedules,
  users,
  type UserRole,
} from '../../db/schema/index.ts';
import { hashPassword } from '../../api/password-hash.ts';

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++sequence}-${randomBytes(2).toString('hex')}`;

/** Hashing is deliberately slow; tests reuse one hash for their shared password. */
export const TEST_PASSWORD = 'correct horse battery staple';
let testHash: Promise<string> | undefined;

export async function buildUser(db: Db, overrides: Partial<typeof users.$inferInsert> & { role?: UserRole } = {}) {
  testHash ??= hashPassword(TEST_PASSWORD);
  const username = overrides.username ?? unique('user');
  const [user] = await db
    .insert(users)
    .values({ username, displayName: username, role: 'agent', passwordHash: await testHash, ...overrides })
    .returning();
  return user!;
}

/** A channel of any type under a unique name (named after its type unless given one). */
export async function buildChannel(db: Db, values: Omit<typeof channels.$inferInsert, 'name'> & { name?: string }) {
  const [channel] = await db
    .insert(channels)
    .values({ ...values, name: values.name ?? unique(values.type) })
    .returning();
  return channel!;
}

export function buildSimulatorChannel(db: Db, overrides: Partial<typeof channels.$inferInsert> = {}) {
  return buildChannel(db, {
    type: 'simulator',
    name: unique('sim'),
    address: '+59820000000',
    defaultCountry: 'UY',
    secrets: { signingKey: randomBytes(16).toString('hex') },
    ...overrides,
  });
}

/** A schedule: `open: 'always' | 'never'` or weekly intervals, plus exceptions. */
export async function buildSchedule(
  db: Db,
  input: {
    timeZone?: string;
    weekly?: { dayOfWeek: number; startMinute: number; endMinute: number }[];
    open?: 'always' | 'never';
    exceptions?: { date: string; startMinute?: number; endMinute?: number }[];
  } = {},
) {
  const [schedule] = await db
    .insert(schedules)
    .values({ name: unique('schedule'), timeZone: input.timeZone ?? 'UTC' })
    .returning();
  const weekly = input.weekly ?? (input.open === 'never' ? [] : Array.from({ length: 7 }, (_, day) => ({ dayOfWeek: day, startMinute: 0, endMinute: 1440 })));
  if (weekly.length) await db.insert(scheduleIntervals).values(weekly.map((interval) => ({ ...interval, scheduleId: schedule!.id })));
  if (input.exceptions?.length) {
    await db.insert(scheduleExceptions).values(input.exceptions.map((exception) => ({ ...exception, scheduleId: schedule!.id })));
  }
  return schedule!;
}

/** A campaign on the given channel(s) with the given members (in member order). */
export async function buildCampaign(db: Db, input: Partial<typeof campaigns.$inferInsert> & { channelIds?: number[]; memberIds?: number[] } = {}) {
  const { channelIds = [], memberIds = [], ...overrides } = input;
  const [campaign] = await db
    .insert(campaigns)
    .values({
      name: unique('campaign'),
      greetingMessage: 'Hello from the bot',
      outOfTimeMessage: 'We are closed',
      queueFullMessage: 'The queue is full',
      ...overrides,
    })
    .returning();
  if (channelIds.length) await db.insert(campaignChannels).values(channelIds.map((channelId) => ({ campaignId: campaign!.id, channelId })));
  if (memberIds.length) {
    await db.insert(campaignMembers).values(memberIds.map((userId, index) => ({ campaignId: campaign!.id, userId, position: index + 1 })));
  }
  return campaign!;
}

/** A bot flow version (not validated here: tests of invalid flows go through the API). */
export async function buildBotFlow(db: Db, definition: object, name = unique('flow')) {
  const [flow] = await db.insert(botFlows).values({ name, definition }).returning();
  return flow!;
}

/** A dialer on a channel (enabled, not started, no pause between messages unless overridden). */
export async function buildDialer(db: Db, channelId: number, overrides: Partial<typeof dialers.$inferInsert> = {}) {
  const [dialer] = await db
    .insert(dialers)
    .values({ name: unique('dialer'), channelId, enabled: true, timeBetweenMessagesMs: 0, ...overrides })
    .returning();
  return dialer!;
}
