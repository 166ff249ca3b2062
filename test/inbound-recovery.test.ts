import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations, messages } from '../db/schema/index.ts';
import { drainCustomer } from '../bots/inbound-job.ts';
import { storeInbound } from '../messages/store-inbound.ts';
import { inTransaction } from '../kernel/unit-of-work.ts';
import { buildBotFlow, buildCampaign, buildSimulatorChannel } from './harness/factories.ts';
import { startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
// Workers off: the test plays the jobs itself, as they ran around a crash.
beforeAll(async () => {
  platform = await startTestPlatform({ ROLES: 'http' });
});
afterAll(() => platform.close());

/** Answers each message with its text (the first of a conversation with "echo: "). */
const ECHO_FLOW = {
  start: 'listen',
  settings: { typingDelayMs: 0 },
  nodes: { listen: { type: 'ask', text: 'echo: {{said}}', variable: 'said', next: 'listen' } },
};

describe('an inbound job retried after the database or its process went away mid-drain', () => {
  it('answers the message attached before the crash, before the later ones, and once', async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    await buildCampaign(db, { channelIds: [channel.id], botFlowId: (await buildBotFlow(db, ECHO_FLOW)).id });
    const say = async (text: string) => {
      const { stored } = await inTransaction(platform.services, (uow) =>
        storeInbound(uow, [{ channelId: channel.id, from: '+59899455667', to: null, text, media: [], providerMessageId: randomUUID(), timestamp: new Date() }]),
      );
      return stored[0]!.id;
    };
    const hello = await say('hello');
    await drainCustomer(platform.services, hello);
    const first = await say('first');
    await drainCustomer(platform.services, first);
    const second = await say('second');
    const third = await say('third');
    // The job of `first` went on draining its customer: it attached `second` (one transaction) and
    // died before the bot's turn for it (another). As that crash leaves it:
    const [conversation] = await db.select().from(conversations).where(eq(conversations.channelId, channel.id));
    await db.update(messages).set({ conversationId: conversation!.id }).where(eq(messages.id, second));
    const botReplies = () =>
      db
        .select({ body: messages.body })
        .from(messages)
        .where(and(eq(messages.channelId, channel.id), eq(messages.authorType, 'bot')))
        .orderBy(asc(messages.id))
        .then((rows) => rows.map((row) => row.body));
    expect(await botReplies()).toEqual(['echo: ', 'echo: first']);

    // Its retry, then the later messages' own jobs.
    await drainCustomer(platform.services, first);
    await drainCustomer(platform.services, second);
    await drainCustomer(platform.services, third);
    expect(await botReplies()).toEqual(['echo: ', 'echo: first', 'echo: second', 'echo: third']);
  });
});
