import { setTimeout as sleep } from 'node:timers/promises';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../db/schema/index.ts';
import { findOrCreateContactAddress, findOrOpenConversation } from '../conversations/open-conversation.ts';
import { queueOutboundMessage } from '../conversations/queue-outbound-message.ts';
import type { Channel, ChannelRow, OutboundMessage, SendResult } from '../gateway/channel.ts';
import type { ChannelRegistry } from '../gateway/channel-registry.ts';
import { sendKey } from '../messages/enqueue-send.ts';
import { QUEUES } from '../kernel/queues.ts';
import { inTransaction } from '../kernel/unit-of-work.ts';
import { buildChannel, buildSimulatorChannel } from './harness/factories.ts';
import { eventually, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
/** Fake adapters by channel id; every platform of this file routes those channels to them. */
const fakes = new Map<number, Channel>();

/** Routes the channels of `fakes` to their fake adapter in this platform, the rest to the real ones. */
function routeFakes(target: TestPlatform) {
  const real = target.services.channels;
  const router: ChannelRegistry = { supports: (type) => real.supports(type), get: (row) => fakes.get(row.id) ?? real.get(row) };
  target.services.channels = router;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  routeFakes(platform);
});
afterAll(() => platform.close());

type Attempt = { messageId: number; to: string; ok: boolean };

/**
 * A channel whose sends take a random few milliseconds and are recorded; `outcome` may refuse one.
 * It also records whether two sends to one customer were ever in flight at once.
 */
function fakeChannel(row: ChannelRow, outcome: (message: OutboundMessage, attempt: number) => SendResult | undefined = () => undefined) {
  const attempts: Attempt[] = [];
  const inFlight = new Set<string>();
  let overlapped = false;
  const channel: Channel = {
    type: row.type,
    verify: () => false,
    normalize: () => ({ messages: [], statuses: [] }),
    async send(message) {
      if (inFlight.has(message.to)) overlapped = true;
      inFlight.add(message.to);
      try {
        await sleep(1 + Math.random() * 8);
        const tries = attempts.filter((attempt) => attempt.messageId === message.messageId).length;
        const result = outcome(message, tries + 1) ?? { ok: true, providerMessageId: `fake-${message.messageId}` };
        attempts.push({ messageId: message.messageId, to: message.to, ok: result.ok });
        return result;
      } finally {
        inFlight.delete(message.to);
      }
    },
  };
  fakes.set(row.id, channel);
  return { channel, attempts, sent: () => attempts.filter((attempt) => attempt.ok), overlapped: () => overlapped };
}

/** The customer's open conversation on the channel (made directly: no bot, no campaign). */
function conversationWith(channelId: number, address: string) {
  return platform.services.db.transaction(async (tx) => {
    const contactAddress = await findOrCreateContactAddress(tx, { channelId, address });
    const { conversation } = await findOrOpenConversation(
      tx,
      { channelId, contactId: contactAddress.contactId, contactAddressId: contactAddress.id },
      async () => null,
    );
    return conversation;
  });
}

/** Queues `count` bot messages to each customer in ONE transaction (interleaved), as a bot's reply does. */
async function queueInOneTransaction(channelId: number, customers: string[], count: number) {
  const conversations = await Promise.all(customers.map((address) => conversationWith(channelId, address)));
  return inTransaction(platform.services, async (uow) => {
    const queued: (typeof messages.$inferSelect)[] = [];
    for (let index = 0; index < count; index++) {
      for (const conversation of conversations) queued.push(await queueOutboundMessage(uow, { conversation, authorType: 'bot', body: `part ${index + 1}` }));
    }
    return queued;
  });
}

const idsTo = (rows: { id: number; address: string }[], address: string) => rows.filter((row) => row.address === address).map((row) => row.id);
const sentTo = (attempts: Attempt[], address: string) => attempts.filter((attempt) => attempt.ok && attempt.to === address).map((attempt) => attempt.messageId);

/** The pg-boss states of the jobs that named these messages on a queue. */
async function jobStates(queue: string, messageIds: number[]) {
  const rows = (await platform.services.db.execute(sql`
    select data->>'messageId' as "messageId", state from pgboss.job
     where name = ${queue} and (data->>'messageId')::bigint in ${sql.raw(`(${messageIds.join(',')})`)}`)) as unknown as { messageId: string; state: string }[];
  return rows.map((row) => ({ messageId: Number(row.messageId), state: row.state }));
}

describe("a customer's outbound messages", () => {
  it('reach the channel in the order they were queued, ten in one transaction', async () => {
    const row = await buildSimulatorChannel(platform.services.db);
    const fake = fakeChannel(row);
    const customers = ['+59899100001', '+59899100002', '+59899100003'];
    const queued = await queueInOneTransaction(row.id, customers, 10);
    await eventually(() => expect(fake.sent()).toHaveLength(30));
    for (const customer of customers) expect(sentTo(fake.attempts, customer)).toEqual(idsTo(queued, customer));
    expect(fake.overlapped()).toBe(false);
    // The fake has the last message a moment before its row says `sent`.
    await eventually(async () => {
      const stored = await platform.services.db
        .select()
        .from(messages)
        .where(
          inArray(
            messages.id,
            queued.map((message) => message.id),
          ),
        );
      expect(new Set(stored.map((message) => message.status))).toEqual(new Set(['sent']));
    });
  });

  it('keep their order with two processes working the queue', async () => {
    const second = await startTestPlatform({}, { databaseUrl: platform.databaseUrl });
    routeFakes(second);
    try {
      const row = await buildSimulatorChannel(platform.services.db);
      const fake = fakeChannel(row);
      const customers = ['+59899200001', '+59899200002', '+59899200003', '+59899200004'];
      const queued = await queueInOneTransaction(row.id, customers, 10);
      await eventually(() => expect(fake.sent()).toHaveLength(40));
      for (const customer of customers) expect(sentTo(fake.attempts, customer)).toEqual(idsTo(queued, customer));
      expect(fake.overlapped()).toBe(false);
    } finally {
      await second.close();
    }
  });

  it('wait behind a retryable failure of the first until it goes through', async () => {
    const row = await buildSimulatorChannel(platform.services.db);
    let firstId = 0;
    const fake = fakeChannel(row, (message, attempt) =>
      message.messageId === firstId && attempt === 1 ? { ok: false, errorCode: '503', errorMessage: 'provider busy', retryable: true } : undefined,
    );
    const customer = '+59899300001';
    const conversation = await conversationWith(row.id, customer);
    const [first, second] = await inTransaction(platform.services, async (uow) => {
      const one = await queueOutboundMessage(uow, { conversation, authorType: 'bot', body: 'Here is our menu' });
      firstId = one.id;
      return [one, await queueOutboundMessage(uow, { conversation, authorType: 'bot', body: '1. Hours 2. Orders' })];
    });
    await eventually(() => expect(fake.sent()).toHaveLength(2));
    expect(fake.attempts.map((attempt) => [attempt.messageId, attempt.ok])).toEqual([
      [first!.id, false],
      [first!.id, true],
      [second!.id, true],
    ]);
    const stored = await platform.services.db.query.messages.findFirst({ where: eq(messages.id, first!.id) });
    expect(stored).toMatchObject({ status: 'sent', errorCode: null });
  });

  it("on the last attempt store the message failed, complete the job, and the customer's next one still goes", async () => {
    const row = await buildSimulatorChannel(platform.services.db);
    const customer = '+59899400001';
    const fake = fakeChannel(row, (message) =>
      message.text === 'never accepted' ? { ok: false, errorCode: '503', errorMessage: 'provider busy', retryable: true } : undefined,
    );
    // Two messages whose jobs have no retries left (retryLimit 0): the first attempt is the last.
    const queued = await inTransaction(platform.services, async (uow) => {
      const rows = await uow.tx
        .insert(messages)
        .values(
          ['never accepted', 'this one goes'].map((body) => ({
            channelId: row.id,
            direction: 'outbound' as const,
            authorType: 'system' as const,
            address: customer,
            body,
            status: 'queued' as const,
          })),
        )
        .returning();
      for (const message of rows) await uow.enqueue(QUEUES.gatewayOutbound, { messageId: message.id }, { singletonKey: sendKey(message), retryLimit: 0 });
      return rows;
    });
    const ids = queued.map((message) => message.id);
    await eventually(async () =>
      expect(await jobStates(QUEUES.gatewayOutbound, ids)).toEqual(expect.arrayContaining(ids.map((messageId) => ({ messageId, state: 'completed' })))),
    );
    const stored = await platform.services.db.select().from(messages).where(inArray(messages.id, ids)).orderBy(messages.id);
    expect(stored.map((message) => [message.status, message.errorCode])).toEqual([
      ['failed', '503'],
      ['sent', null],
    ]);
    expect(sentTo(fake.attempts, customer)).toEqual([ids[1]]);
  });

  it('of a session channel go through its queue in order, several customers at once, never two of one', async () => {
    const row = await buildChannel(platform.services.db, { type: 'smpp', address: '+59829000000' });
    // The first send waits until the other customer's send has started: with one send at a time
    // that never happens, the wait gives up (after a minute: only a broken queue gets there) and
    // `together` stays false. The sends after it do not wait.
    const started = new Set<string>();
    let bothStarted!: () => void;
    const overlap = new Promise<'overlap'>((resolve) => (bothStarted = () => resolve('overlap')));
    let together = false;
    const fake = fakeChannel(row);
    fakes.set(row.id, {
      ...fake.channel,
      async send(message) {
        const first = started.size === 0;
        started.add(message.to);
        if (started.size >= 2) bothStarted();
        else if (first) {
          let timer: NodeJS.Timeout | undefined;
          const waited = await Promise.race([overlap, new Promise<'gave up'>((resolve) => (timer = setTimeout(resolve, 60_000, 'gave up')))]);
          clearTimeout(timer);
          // Released by the other customer's send while this one was in flight: the two overlapped.
          together = waited === 'overlap';
        }
        return fake.channel.send(message);
      },
      session: { carriesSends: true, sendConcurrency: 2, start: async () => {}, stop: async () => {} },
    });
    await platform.services.sessions.refresh();
    expect(platform.services.sessions.running(row.id)).toBeDefined();
    const customers = ['+59899500001', '+59899500002'];
    const queued = await queueInOneTransaction(row.id, customers, 6);
    await eventually(() => expect(started.size).toBe(2), 90_000);
    expect(together).toBe(true);
    await eventually(() => expect(fake.sent()).toHaveLength(12), 90_000);
    for (const customer of customers) expect(sentTo(fake.attempts, customer)).toEqual(idsTo(queued, customer));
    expect(fake.overlapped()).toBe(false);
  }, 240_000);
});

describe('a typing delay', () => {
  it("calls typing with the customer's latest message id, waits, then sends; a failing typing call does not stop the send", async () => {
    const { db } = platform.services;
    const row = await buildSimulatorChannel(db);
    const fake = fakeChannel(row);
    const calls: { to: string; replyTo: string | undefined; at: number }[] = [];
    let failTyping = false;
    fakes.set(row.id, {
      ...fake.channel,
      async typing(to, context) {
        calls.push({ to, replyTo: context.replyToProviderMessageId, at: Date.now() });
        if (failTyping) throw new Error('typing is down');
      },
    });
    const customer = '+59899800001';
    const conversation = await conversationWith(row.id, customer);
    await db.insert(messages).values(
      ['in-1', 'in-2'].map((id) => ({
        channelId: row.id,
        conversationId: conversation.id,
        direction: 'inbound' as const,
        authorType: 'contact' as const,
        address: customer,
        body: id,
        status: 'received' as const,
        providerMessageId: id,
      })),
    );
    const first = await inTransaction(platform.services, (uow) =>
      queueOutboundMessage(uow, { conversation, authorType: 'bot', body: 'One moment', typingDelayMs: 250 }),
    );
    await eventually(() => expect(fake.sent()).toHaveLength(1));
    const sentAt = Date.now();
    expect(calls).toEqual([{ to: customer, replyTo: 'in-2', at: expect.any(Number) }]);
    expect(sentAt - calls[0]!.at).toBeGreaterThanOrEqual(230); // timers may fire a hair early
    expect(fake.sent()[0]!.messageId).toBe(first.id);

    failTyping = true;
    await inTransaction(platform.services, (uow) => queueOutboundMessage(uow, { conversation, authorType: 'bot', body: 'Still here', typingDelayMs: 10 }));
    await eventually(() => expect(fake.sent()).toHaveLength(2));
    expect(calls).toHaveLength(2);
  });

  it('holds no worker while the customer waits: the send is a job scheduled for its time, and later messages keep behind it', async () => {
    const { db } = platform.services;
    const row = await buildSimulatorChannel(db);
    const fake = fakeChannel(row);
    const typed: string[] = [];
    fakes.set(row.id, {
      ...fake.channel,
      async typing(to) {
        typed.push(to);
      },
    });
    const customer = '+59899800002';
    const other = '+59899800003';
    const conversation = await conversationWith(row.id, customer);
    const first = await inTransaction(platform.services, (uow) =>
      queueOutboundMessage(uow, { conversation, authorType: 'bot', body: 'Let me check', typingDelayMs: 6_000 }),
    );
    await eventually(() => expect(typed).toEqual([customer]));
    // "typing…" is on; the send waits as a deferred job, with no job of the customer active.
    const jobs = async () =>
      (await db.execute(sql`select state, start_after > now() as deferred from pgboss.job
                             where name = ${QUEUES.gatewayOutbound} and singleton_key = ${sendKey({ channelId: row.id, address: customer })}
                               and state in ('created', 'active', 'retry')`)) as unknown as { state: string; deferred: boolean }[];
    await eventually(async () => expect(await jobs()).toEqual([{ state: 'created', deferred: true }]));
    // Meanwhile a later message of the same customer waits behind it, and another customer is not held up.
    const second = await inTransaction(platform.services, (uow) => queueOutboundMessage(uow, { conversation, authorType: 'bot', body: 'Done' }));
    const otherConversation = await conversationWith(row.id, other);
    const third = await inTransaction(platform.services, (uow) =>
      queueOutboundMessage(uow, { conversation: otherConversation, authorType: 'bot', body: 'Hi' }),
    );
    await eventually(() => expect(fake.sent().map((message) => message.messageId)).toContain(third.id));
    expect(fake.sent().map((message) => message.messageId)).not.toContain(first.id);
    await eventually(() => expect(fake.sent().map((message) => message.messageId)).toEqual([third.id, first.id, second.id]), 20_000);
    expect(typed).toEqual([customer]);
  }, 30_000);
});
