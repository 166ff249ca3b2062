import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations, messages } from '../db/schema/index.ts';
import { processInboundMessage } from '../bots/inbound-job.ts';
import { storeInbound } from '../messages/store-inbound.ts';
import { inTransaction } from '../kernel/unit-of-work.ts';
import { buildCampaign, buildSimulatorChannel } from './harness/factories.ts';
import { eventually, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
// Workers off: the test runs each step itself, in a chosen order.
beforeAll(async () => {
  platform = await startTestPlatform({ ROLES: 'http' });
});
afterAll(() => platform.close());

const inbound = (channelId: number, text: string) =>
  inTransaction(platform.services, (uow) =>
    storeInbound(uow, [{ channelId, from: '+59899121314', to: null, text, media: [], providerMessageId: randomUUID(), timestamp: new Date() }]),
  );

describe('a message arriving while its conversation is being closed', () => {
  it('opens a new conversation instead of landing in the closed one', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    await buildCampaign(db, { channelIds: [channel.id], greetingMessage: null });
    const first = await inbound(channel.id, 'I need help');
    await processInboundMessage(platform.services, first.stored[0]!.id);
    const [open] = await db.select().from(conversations).where(eq(conversations.channelId, channel.id));

    // An agent's close, committed only after the next message's processing has started.
    let commitClose!: () => void;
    const closeMayCommit = new Promise<void>((resolve) => (commitClose = resolve));
    let closed!: () => void;
    const closedStarted = new Promise<void>((resolve) => (closed = resolve));
    const closing = db.transaction(async (tx) => {
      await tx.update(conversations).set({ status: 'closed', closeReason: 'supervisor_closed', closedAt: new Date() }).where(eq(conversations.id, open!.id));
      closed();
      await closeMayCommit;
    });
    await closedStarted;
    const thanks = await inbound(channel.id, 'Thanks!');
    const processing = processInboundMessage(platform.services, thanks.stored[0]!.id);
    // Proceed only once the processing is really waiting on the close's row lock.
    await eventually(async () => {
      const [row] = (await db.execute(sql`
        select count(*)::int as waiting from pg_stat_activity
         where datname = current_database() and wait_event_type = 'Lock'`)) as unknown as [{ waiting: number }];
      expect(row.waiting).toBeGreaterThan(0);
    });
    commitClose();
    await closing;
    await processing;

    const message = await db.query.messages.findFirst({ where: eq(messages.id, thanks.stored[0]!.id) });
    const all = await db.select().from(conversations).where(eq(conversations.channelId, channel.id)).orderBy(conversations.id);
    expect(all.map((c) => c.status)).toEqual(['closed', 'queued']);
    expect(message!.conversationId).toBe(all[1]!.id);
  });
});
