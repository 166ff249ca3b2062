import { and, asc, eq, sql } from 'drizzle-orm';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeInactiveBotConversations } from '../bots/timeout-job.ts';
import type { FlowInput } from '../bots/flow-schema.ts';
import type { ConversationDetail, ConversationSummary } from '../contract/conversations.ts';
import { conversations, messages } from '../db/schema/index.ts';
import { blockedNumbers } from '../dialer/dncr.ts';
import { buildBotFlow, buildCampaign, buildSchedule, buildSimulatorChannel, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { openPhone, type Phone } from './harness/simulator-phone.ts';
import { api, connectClient, eventually, login, nextEvent, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

/**
 * An order lookup the test holds: `reached` resolves once the request is at the shop, which answers
 * only when the test calls `answer`.
 */
function heldLookup() {
  let arrive!: () => void;
  let answer!: () => void;
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const answered = new Promise<void>((resolve) => (answer = resolve));
  return { reached, answered, arrive, answer };
}
/** Order 7777's lookup, held by the test that uses it. */
let order7777 = heldLookup();

/** The order system the flow's HTTP node calls, faked at the network edge. */
const shop = setupServer(
  http.get('https://shop.test/orders/:number', async ({ params }) => {
    if (params.number === '1001') return HttpResponse.json({ order: { status: 'shipped', eta: 'tomorrow' } });
    if (params.number === '5555') {
      await delay('infinite'); // never answers: the node times out
    }
    if (params.number === '7777') {
      const held = order7777;
      held.arrive();
      await held.answered;
      return HttpResponse.json({ order: { status: 'shipped', eta: 'tomorrow' } });
    }
    return HttpResponse.json({ error: 'not found' }, { status: 404 });
  }),
);

const SHOP_FLOW: FlowInput = {
  start: 'menu',
  settings: { typingDelayMs: 0, inactivityMinutes: 30, timeoutText: 'Closing this chat for inactivity.' },
  intents: [{ name: 'agent', keywords: ['agent', 'human'], to: 'ask_name' }],
  nodes: {
    menu: {
      type: 'menu',
      text: 'Welcome! Choose an option:',
      options: [
        { label: 'Opening hours', keywords: ['hours'], next: 'hours' },
        { label: 'Order status', keywords: ['order'], next: 'ask_order' },
        { label: 'Talk to an agent', next: 'ask_name' },
      ],
      maxTries: 2,
      onGiveUp: 'ask_name',
    },
    hours: { type: 'message', text: 'We are open 9 to 18.' },
    ask_order: { type: 'ask', text: 'Your order number?', variable: 'order', validate: { type: 'regex', pattern: '^\\d{4}$' }, next: 'lookup' },
    // The longest the flow allows: a lookup is never cut short by a slow machine. The timeout itself
    // is tested with IMPATIENT_FLOW.
    lookup: {
      type: 'http',
      url: 'https://shop.test/orders/{{order}}',
      timeoutMs: 30_000,
      map: { orderStatus: 'order.status' },
      next: 'found',
      onError: 'missing',
    },
    found: { type: 'message', text: 'Order {{order}} is {{orderStatus}}.' },
    missing: { type: 'message', text: 'Order {{order}} was not found.' },
    ask_name: { type: 'ask', text: 'Your name?', variable: 'name', next: 'handoff' },
    handoff: {
      type: 'handoff',
      priority: 5,
      note: '{{name}} wants an agent{{#order}} about order {{order}}{{/order}}',
      text: 'Thanks {{name}}, an agent is coming.',
    },
  },
};

/** SHOP_FLOW whose order lookup gives up after a second: the test of the HTTP node's timeout. */
const IMPATIENT_FLOW: FlowInput = {
  ...SHOP_FLOW,
  nodes: { ...SHOP_FLOW.nodes, lookup: { ...SHOP_FLOW.nodes.lookup!, timeoutMs: 1000 } as FlowInput['nodes'][string] },
};

let platform: TestPlatform;
const sockets: Socket[] = [];

beforeAll(async () => {
  shop.listen({ onUnhandledFrame: 'bypass' });
  platform = await startTestPlatform();
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  shop.close();
  await platform?.close();
});

/** A customer on a fresh simulator channel whose campaign runs `flow`. */
async function customerOf(flow: FlowInput = SHOP_FLOW, campaign: Parameters<typeof buildCampaign>[1] = {}, target: TestPlatform = platform) {
  const { db } = target.services;
  const channel = await buildSimulatorChannel(db);
  const saved = await buildBotFlow(db, flow);
  const row = await buildCampaign(db, { channelIds: [channel.id], botFlowId: saved.id, ...campaign });
  const number = `+598994${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
  return { channel, campaign: row, number, phone: await openPhone(target.url, channel.id, number, sockets) };
}

/** Sends a message and waits for the bot's replies to it (the first line of each, options left out). */
async function say(phone: Phone, text: string, replies: number): Promise<string[]> {
  const before = phone.received.length;
  expect((await phone.send(text)).status).toBe(200);
  await eventually(() => expect(phone.received.length).toBeGreaterThanOrEqual(before + replies));
  return phone.received.slice(before).map((message) => message.text.split('\n')[0]!);
}

async function conversationOf(channelId: number) {
  const [row] = await platform.services.db.select().from(conversations).where(eq(conversations.channelId, channelId)).orderBy(asc(conversations.id));
  return row!;
}

describe('bot conversations through the simulator', () => {
  it.each<[string, [string, string[]][], string, FlowInput?]>([
    [
      'menu navigation by number',
      [
        ['hi', ['Welcome! Choose an option:']],
        ['1', ['We are open 9 to 18.']],
      ],
      'bot',
    ],
    [
      'a typo in a keyword',
      [
        ['hi', ['Welcome! Choose an option:']],
        ['what are your hurs', ['We are open 9 to 18.']],
      ],
      'bot',
    ],
    [
      'an invalid answer, then a valid one',
      [
        ['hi', ['Welcome! Choose an option:']],
        ['pizza', ['Sorry, I did not understand. Please answer with the number of an option.']],
        ['dos', ['Your order number?']],
      ],
      'bot',
    ],
    [
      'invalid answers until the bot gives up',
      [
        ['hi', ['Welcome! Choose an option:']],
        ['pizza', ['Sorry, I did not understand. Please answer with the number of an option.']],
        ['pasta', ['Your name?']],
        ['Ana', ['Thanks Ana, an agent is coming.']],
      ],
      'queued',
    ],
    [
      'the HTTP node answering',
      [
        ['hi', ['Welcome! Choose an option:']],
        ['order', ['Your order number?']],
        ['1001', ['Order 1001 is shipped.']],
      ],
      'bot',
    ],
    [
      'the HTTP node refusing (404)',
      [
        ['hi', ['Welcome! Choose an option:']],
        ['2', ['Your order number?']],
        ['4040', ['Order 4040 was not found.']],
      ],
      'bot',
    ],
    [
      'the HTTP node timing out',
      [
        ['hi', ['Welcome! Choose an option:']],
        ['2', ['Your order number?']],
        ['5555', ['Order 5555 was not found.']],
      ],
      'bot',
      IMPATIENT_FLOW,
    ],
    [
      'a global intent inside a question',
      [
        ['hi', ['Welcome! Choose an option:']],
        ['2', ['Your order number?']],
        ['HUMAN', ['Your name?']],
      ],
      'bot',
    ],
  ])('%s', async (_name, turns, finalStatus, flow = SHOP_FLOW) => {
    const { phone, channel } = await customerOf(flow);
    for (const [text, replies] of turns) expect(await say(phone, text, replies.length)).toEqual(replies);
    await eventually(async () => expect((await conversationOf(channel.id)).status).toBe(finalStatus));
  });

  it('hands off with what the bot collected, visible to the agent, every bot message tagged with its node', async () => {
    const { db } = platform.services;
    const agent = await buildUser(db, { role: 'agent' });
    const cookie = await login(platform.url, agent.username, TEST_PASSWORD);
    const agentSocket = await connectClient(platform.url, { cookie });
    sockets.push(agentSocket);
    expect((await api(platform.url, 'PUT', '/api/presence', { cookie, body: { state: 'available' } })).status).toBe(200);
    const { phone, channel } = await customerOf(SHOP_FLOW, { memberIds: [agent.id] });

    const assigned = nextEvent<ConversationSummary>(agentSocket, 'conversation.upserted', (c) => c.status === 'assigned' && c.channel.id === channel.id);
    await say(phone, 'hi', 1);
    await say(phone, 'order', 1);
    await say(phone, '1001', 1);
    await say(phone, 'agent', 1);
    expect(await say(phone, 'Ana Pérez', 1)).toEqual(['Thanks Ana Pérez, an agent is coming.']);
    const summary = await assigned;

    const { body: detail } = await api<ConversationDetail>(platform.url, 'GET', `/api/conversations/${summary.id}`, { cookie });
    expect(detail).toMatchObject({
      handoffNote: 'Ana Pérez wants an agent about order 1001',
      priority: 5,
      bot: { variables: { order: '1001', orderStatus: 'shipped', name: 'Ana Pérez' }, waitingAt: null },
    });
    expect(detail.bot.flow).toMatchObject({ version: 1 });
    expect(detail.messages.filter((m) => m.author === 'bot').map((m) => m.botNode)).toEqual(['menu', 'ask_order', 'found', 'ask_name', 'handoff']);
    expect(detail.messages.filter((m) => m.author === 'bot')[0]!.content).toMatchObject({ type: 'buttons' });
  });

  it('out of hours: the out-of-time message goes once, and nobody is handed the chat', async () => {
    const closed = await buildSchedule(platform.services.db, { open: 'never' });
    const { phone, channel } = await customerOf(SHOP_FLOW, { scheduleId: closed.id, outOfTimeMessage: 'We are closed.' });
    await say(phone, 'agent', 1);
    expect(await say(phone, 'Ana', 1)).toEqual(['We are closed.']);
    await say(phone, 'agent', 1);
    await phone.send('Ana');
    await eventually(async () => {
      const rows = await platform.services.db
        .select()
        .from(messages)
        .where(and(eq(messages.channelId, channel.id), eq(messages.direction, 'inbound')));
      expect(rows.every((row) => row.conversationId !== null)).toBe(true);
    });
    const bot = await platform.services.db
      .select()
      .from(messages)
      .where(and(eq(messages.channelId, channel.id), eq(messages.authorType, 'bot')));
    expect(bot.filter((m) => m.botNode === 'out_of_hours')).toHaveLength(1);
    expect(await conversationOf(channel.id)).toMatchObject({ status: 'bot', assignedUserId: null });
  });

  it('STOP puts the number on the DNCR (confirmed once), blocks broadcasts, HELP answers, START opts back in', async () => {
    const { db } = platform.services;
    const { phone, channel, campaign, number } = await customerOf();
    await say(phone, 'hi', 1);
    expect(await say(phone, 'Stop!', 1)).toEqual(['You will not receive more messages from us. Reply START to subscribe again.']);
    expect(await conversationOf(channel.id)).toMatchObject({ status: 'closed', closeReason: 'opted_out' });
    expect(await blockedNumbers(db, campaign.id, [number, '+59899000001'])).toEqual(new Set([number]));
    // A second STOP is not confirmed again (it opens and closes a new conversation quietly).
    await phone.send('baja');
    expect(await say(phone, 'AYUDA', 1)).toEqual(['Write your question and we will answer. Reply STOP to unsubscribe, START to subscribe again.']);
    expect(phone.received.filter((m) => m.text.startsWith('You will not receive'))).toHaveLength(1);
    expect(await say(phone, 'start', 1)).toEqual(['You are subscribed again. Reply STOP to unsubscribe.']);
    expect(await blockedNumbers(db, campaign.id, [number])).toEqual(new Set());
  });

  it('STOP with a global scope blocks the number for every campaign', async () => {
    const { db } = platform.services;
    const { phone, number } = await customerOf(SHOP_FLOW, { optOutScope: 'global', optOutKeywords: ['SALIR'] });
    const other = await buildCampaign(db);
    expect(await say(phone, 'salir', 1)).toEqual(['You will not receive more messages from us. Reply START to subscribe again.']);
    expect(await blockedNumbers(db, other.id, [number])).toEqual(new Set([number]));
  });

  it('a burst of ten messages is answered in order', async () => {
    const loop: FlowInput = {
      start: 'ask',
      settings: { typingDelayMs: 0 },
      nodes: {
        ask: { type: 'ask', text: 'Number?', variable: 'n', validate: { type: 'number' }, next: 'echo' },
        echo: { type: 'message', text: 'Got {{n}}', next: 'ask' },
      },
    };
    const { phone, channel } = await customerOf(loop);
    const numbers = Array.from({ length: 10 }, (_, i) => String(i + 1));
    // One after the other, each stored before the next is sent (the webhook answers after its commit):
    // a burst with a defined arrival order. Sent all at once, two webhooks could commit out of id order
    // and the later id be answered first, which is right (it arrived first) but not the id order below.
    for (const n of numbers) await phone.send(n);
    const inbound = await eventually(async () => {
      const rows = await platform.services.db
        .select()
        .from(messages)
        .where(and(eq(messages.channelId, channel.id), eq(messages.direction, 'inbound')))
        .orderBy(asc(messages.id));
      expect(rows).toHaveLength(10);
      return rows;
    });
    // The first message starts the flow (its question); each later one is an answer, in arrival order.
    const expected = ['Number?', ...inbound.slice(1).flatMap((row) => [`Got ${row.body}`, 'Number?'])];
    // Each answer waits for the customer's previous job (strict FIFO per customer), about a polling
    // interval each: seconds on an idle machine, far more on a loaded one.
    await eventually(() => expect(phone.received.map((m) => m.text)).toEqual(expected), 100_000);
  }, 120_000);

  it('an agent taking the conversation stops the bot at once, even mid-turn; handing it back restarts the flow', async () => {
    const { db } = platform.services;
    const supervisor = await buildUser(db, { role: 'admin' });
    const cookie = await login(platform.url, supervisor.username, TEST_PASSWORD);
    const { phone, channel } = await customerOf();
    await say(phone, 'hi', 1);
    await say(phone, '2', 1);
    // The order lookup reaches the shop, which answers only after the agent has taken the conversation.
    order7777 = heldLookup();
    const held = order7777;
    await phone.send('7777');
    const conversation = await conversationOf(channel.id);
    try {
      await held.reached;
      const taken = await api<ConversationSummary>(platform.url, 'POST', `/api/conversations/${conversation.id}/take`, { cookie });
      expect(taken.status).toBe(200);
      expect(taken.body).toMatchObject({ status: 'assigned', assignedTo: { id: supervisor.id } });
    } finally {
      held.answer();
    }
    const [lookup] = await db
      .select()
      .from(messages)
      .where(and(eq(messages.channelId, channel.id), eq(messages.body, '7777')));
    expect(lookup?.conversationId).toBe(conversation.id);
    // The lookup answers (its job completes) and the bot's reply ("Order 7777 is shipped.") is
    // dropped, never sent after the agent's turn.
    await eventually(async () => {
      const [job] = (await db.execute(
        sql`select state from pgboss.job where name = 'conversation.inbound' and (data->>'messageId')::bigint = ${lookup!.id}`,
      )) as unknown as { state: string }[];
      expect(job?.state).toBe('completed');
    });
    const outbound = await db
      .select({ body: messages.body })
      .from(messages)
      .where(and(eq(messages.channelId, channel.id), eq(messages.direction, 'outbound')));
    expect(outbound.map((m) => m.body)).not.toContain('Order 7777 is shipped.');
    expect(phone.received.map((m) => m.text.split('\n')[0])).toEqual(['Welcome! Choose an option:', 'Your order number?']);

    const back = await api<ConversationSummary>(platform.url, 'POST', `/api/conversations/${conversation.id}/return-to-bot`, { cookie, body: {} });
    expect(back.body).toMatchObject({ status: 'bot', assignedTo: null });
    await eventually(() => expect(phone.received.at(-1)?.text.split('\n')[0]).toBe('Welcome! Choose an option:'));
    expect(await say(phone, '1', 1)).toEqual(['We are open 9 to 18.']);
  });

  it('closes a conversation after the flow’s inactivity limit, with its timeout text and reason', async () => {
    const { phone, channel } = await customerOf();
    await say(phone, 'hi', 1);
    const before = await conversationOf(channel.id);
    expect(before.botExpiresAt!.getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
    const closed = await closeInactiveBotConversations(platform.services, new Date(Date.now() + 31 * 60_000));
    expect(closed).toBeGreaterThanOrEqual(1);
    await eventually(() => expect(phone.received.at(-1)?.text).toBe('Closing this chat for inactivity.'));
    expect(await conversationOf(channel.id)).toMatchObject({ status: 'closed', closeReason: 'bot_timeout' });
  });
});

describe('bot sessions across a restart', () => {
  it('a flow interrupted by a restart resumes where it was', async () => {
    const first = await startTestPlatform();
    let second: TestPlatform | undefined;
    try {
      const { phone, channel, number } = await customerOf(SHOP_FLOW, {}, first);
      await say(phone, 'hi', 1);
      await say(phone, 'order', 1);
      await first.stop();
      second = await startTestPlatform({}, { databaseUrl: first.databaseUrl });
      const again = await openPhone(second.url, channel.id, number, sockets);
      expect(await say(again, '1001', 1)).toEqual(['Order 1001 is shipped.']);
    } finally {
      await second?.stop();
      await first.close().catch(() => {});
    }
  });
});
