import { randomUUID } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../db/schema/index.ts';
import type { Services } from '../kernel/unit-of-work.ts';
import type { InboundMessage } from '../messages/inbound.ts';
import { QUEUES } from '../kernel/queues.ts';
import { buildSimulatorChannel } from '../test/harness/factories.ts';
import { startTestPlatform, type TestPlatform } from '../test/harness/test-platform.ts';
import { receiveContent } from './receive-content.ts';

let platform: TestPlatform;
// No workers: the stored messages and their jobs stay as the deliveries left them.
beforeAll(async () => {
  platform = await startTestPlatform({ ROLES: 'http' });
});
afterAll(() => platform.close());

/** The platform's services with a count of the transactions they run. */
function counting(): { services: Services; transactions: () => number } {
  const { db, boss, realtime } = platform.services;
  let transactions = 0;
  const counted = new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'transaction') {
        return (...args: Parameters<typeof db.transaction>) => {
          transactions++;
          return target.transaction(...args);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
  return { services: { db: counted, boss, realtime }, transactions: () => transactions };
}

const message = (channelId: number, from: string, text: string, providerMessageId = randomUUID()): InboundMessage => ({
  channelId,
  from,
  to: null,
  text,
  media: [],
  providerMessageId,
  timestamp: new Date(),
});

describe('deliveries arriving together (group commit)', () => {
  it('share transactions, each answered with its own counts, a customer’s messages stored in arrival order with one job each', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const { services, transactions } = counting();
    const customers = Array.from({ length: 10 }, (_, i) => `+5989930${String(i).padStart(4, '0')}`);
    // Forty deliveries at once: four messages of each of ten customers, in order per customer.
    const deliveries = Array.from({ length: 40 }, (_, k) => message(channel.id, customers[k % 10]!, `message ${Math.floor(k / 10) + 1}`));
    const results = await Promise.all(deliveries.map((delivered) => receiveContent(services, channel.id, { messages: [delivered], statuses: [] })));
    expect(results.every((result) => result.stored === 1 && result.duplicates === 0)).toBe(true);
    // The first goes alone, at once; the others gather while it commits.
    expect(transactions()).toBeLessThanOrEqual(4);
    for (const customer of customers) {
      const rows = await db
        .select({ body: messages.body })
        .from(messages)
        .where(and(eq(messages.channelId, channel.id), eq(messages.address, customer)))
        .orderBy(asc(messages.id));
      expect(rows.map((row) => row.body)).toEqual(['message 1', 'message 2', 'message 3', 'message 4']);
    }
    const [jobs] = (await db.execute(
      sql`select count(*)::int as n from pgboss.job where name = ${QUEUES.conversationInbound} and singleton_key like ${`${channel.id}:%`}`,
    )) as unknown as { n: number }[];
    expect(jobs!.n).toBe(40);
  });

  it('store a message carried twice in one group once, counted for the first delivery that carried it', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const { services } = counting();
    const retried = message(channel.id, '+59899310000', 'are you there?');
    const [first, second, third] = await Promise.all([
      receiveContent(services, channel.id, { messages: [message(channel.id, '+59899310001', 'opening the group')], statuses: [] }),
      receiveContent(services, channel.id, { messages: [retried], statuses: [] }),
      receiveContent(services, channel.id, { messages: [retried], statuses: [] }),
    ]);
    expect(first).toMatchObject({ stored: 1, duplicates: 0 });
    expect(second).toMatchObject({ stored: 1, duplicates: 0 });
    expect(third).toMatchObject({ stored: 0, duplicates: 1 });
    const rows = await db.select().from(messages).where(eq(messages.providerMessageId, retried.providerMessageId));
    expect(rows).toHaveLength(1);
  });

  it('never let a delivery that cannot be stored fail the others of its group', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const { services } = counting();
    const good = Array.from({ length: 5 }, (_, i) => message(channel.id, `+5989932000${i}`, 'fine'));
    // A channel that does not exist: its row breaks the foreign key, and the group's transaction with it.
    const broken = message(2_000_000_000, '+59899329999', 'lost channel');
    const outcomes = await Promise.allSettled([
      ...good.slice(0, 2).map((delivered) => receiveContent(services, channel.id, { messages: [delivered], statuses: [] })),
      receiveContent(services, 2_000_000_000, { messages: [broken], statuses: [] }),
      ...good.slice(2).map((delivered) => receiveContent(services, channel.id, { messages: [delivered], statuses: [] })),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    const stored = await db.select().from(messages).where(eq(messages.channelId, channel.id));
    expect(stored).toHaveLength(5);
  });
});
