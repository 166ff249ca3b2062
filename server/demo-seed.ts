import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { count, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.ts';
import {
  botFlows,
  breaks,
  campaignChannels,
  campaignMembers,
  campaigns,
  cannedResponses,
  channels,
  dialers,
  scheduleIntervals,
  schedules,
  securityGroups,
  userSecurityGroups,
  users,
  type UserRole,
} from '../db/schema/index.ts';
import { hashPassword } from '../api/password-hash.ts';
import { DEMO_FLOW } from './demo-flow.ts';

export type DemoCredentials = { username: string; role: UserRole; password: string }[];

const DEMO_USERS: { username: string; displayName: string; role: UserRole }[] = [
  { username: 'admin', displayName: 'Administrator', role: 'admin' },
  { username: 'supervisor', displayName: 'Sofía Supervisor', role: 'supervisor' },
  { username: 'agent1', displayName: 'Ana Agent', role: 'agent' },
  { username: 'agent2', displayName: 'Bruno Agent', role: 'agent' },
];

/** Arbitrary constant: only one process seeds an empty database. */
const SEED_LOCK = 7_340_002;

/**
 * On an empty database, creates the demo: users with generated passwords, breaks, two schedules, two
 * simulator lines ("Support", open all week, answered by the demo bot flow; "Billing", closed for a
 * holiday, to show the out-of-hours message) with their campaigns. Returns the credentials, or null when the database was not empty.
 */
export async function seedDemo(db: Db): Promise<DemoCredentials | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK})`);
    const [existing] = await tx.select({ n: count() }).from(users);
    if ((existing?.n ?? 0) > 0) return null;

    const [group] = await tx.insert(securityGroups).values({ name: 'Default' }).returning();
    const credentials: DemoCredentials = [];
    const ids: Record<string, number> = {};
    for (const user of DEMO_USERS) {
      const password = randomBytes(9).toString('base64url');
      const [row] = await tx
        .insert(users)
        .values({ ...user, passwordHash: await hashPassword(password) })
        .returning();
      ids[user.username] = row!.id;
      credentials.push({ username: user.username, role: user.role, password });
      await tx.insert(userSecurityGroups).values({ userId: row!.id, securityGroupId: group!.id });
    }
    await tx.insert(breaks).values([{ name: 'Lunch' }, { name: 'Training' }, { name: 'Restroom' }]);

    const [open] = await tx.insert(schedules).values({ name: 'Every day, all day', timeZone: 'America/Montevideo' }).returning();
    await tx
      .insert(scheduleIntervals)
      .values(Array.from({ length: 7 }, (_, day) => ({ scheduleId: open!.id, dayOfWeek: day, startMinute: 0, endMinute: 1440 })));
    // No intervals at all: closed every day, so the out-of-hours message can be seen at any hour.
    const [closed] = await tx.insert(schedules).values({ name: 'Closed (holiday)', timeZone: 'America/Montevideo' }).returning();

    const [supportLine, billingLine] = await tx
      .insert(channels)
      .values([
        {
          type: 'simulator',
          name: 'Demo phone: Support line',
          address: '+59820000001',
          defaultCountry: 'UY',
          secrets: { signingKey: randomBytes(32).toString('base64url') },
        },
        {
          type: 'simulator',
          name: 'Demo phone: Billing line',
          address: '+59820000002',
          defaultCountry: 'UY',
          secrets: { signingKey: randomBytes(32).toString('base64url') },
        },
      ])
      .returning();
    const [support, billing] = await tx
      .insert(campaigns)
      .values([
        {
          name: 'Support',
          didPorts: ['+59820000001'],
          scheduleId: open!.id,
          greetingMessage: 'Hi! Thanks for writing to Support. An agent will be with you shortly.',
          outOfTimeMessage: 'We are closed right now. We answer every day; write again and we will help you.',
          queueFullMessage: 'All our agents are busy and the queue is full. Please write again in a few minutes.',
          securityGroupId: group!.id,
        },
        {
          name: 'Billing',
          didPorts: ['+59820000002'],
          scheduleId: closed!.id,
          greetingMessage: 'Hi! This is Billing.',
          outOfTimeMessage: 'Billing is closed today for a holiday. We will answer your message on the next working day.',
          securityGroupId: group!.id,
        },
      ])
      .returning();
    const [flow] = await tx.insert(botFlows).values({ name: 'Support bot', definition: DEMO_FLOW, createdByUserId: ids.admin! }).returning();
    await tx.update(campaigns).set({ botFlowId: flow!.id }).where(eq(campaigns.id, support!.id));
    await tx.insert(campaignChannels).values([
      { campaignId: support!.id, channelId: supportLine!.id },
      { campaignId: billing!.id, channelId: billingLine!.id },
    ]);
    await tx.insert(campaignMembers).values([
      { campaignId: support!.id, userId: ids.agent1!, position: 1 },
      { campaignId: support!.id, userId: ids.agent2!, position: 2 },
      { campaignId: billing!.id, userId: ids.agent2!, position: 1 },
    ]);
    await tx.insert(cannedResponses).values([
      { campaignId: support!.id, shortcut: 'hello', body: 'Hello! My name is {{agent}}, how can I help you?' },
      { campaignId: support!.id, shortcut: 'bye', body: 'Thanks for contacting us. Have a great day!' },
    ]);
    // Broadcasts to try from the Dialer monitor: upload a CSV (`Support;099123456;Hello!;0`) and watch
    // the simulator phone of that number receive it, one message a second.
    await tx.insert(dialers).values({
      name: 'Demo broadcasts',
      channelId: supportLine!.id,
      scheduleId: open!.id,
      timeBetweenMessagesMs: 1000,
      enabled: true,
      securityGroupId: group!.id,
    });
    return credentials;
  });
}

/** Keeps the generated credentials in DATA_DIR (owner-only), since they are printed only once. */
export async function saveCredentials(dataDir: string, credentials: DemoCredentials): Promise<string> {
  const file = path.join(dataDir, 'demo-credentials.txt');
  const lines = credentials.map((c) => `${c.role.padEnd(10)} ${c.username.padEnd(12)} ${c.password}`);
  await fs.mkdir(dataDir, { recursive: true });
  await fs.writeFile(file, `# role      username     password\n${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}
