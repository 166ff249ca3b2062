import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { channelLeases, channels, messages } from '../../db/schema/index.ts';
import { buildChannel } from '../../test/harness/factories.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../../test/harness/test-platform.ts';
import type { Channel, ChannelRow } from '../channel.ts';
import type { ChannelRegistry } from '../channel-registry.ts';
import { sendQueuedMessage } from '../send-job.ts';
import { createSessionManager, type SessionManager } from './session-manager.ts';
import { createSendPacing } from '../send-pacing.ts';

/** What the fake session channels did, per node. */
type Event = { node: string; channelId: number; what: 'start' | 'stop' | 'send'; messageId?: number };

let platform: TestPlatform;
const silent = pino({ level: 'silent' });
const events: Event[] = [];
const managers: SessionManager[] = [];
const failingStarts = new Set<number>();

beforeAll(async () => {
  // The platform's own node takes no sessions: the nodes under test are the managers below.
  platform = await startTestPlatform({ ROLES: 'http,workers' });
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.stop()));
  events.length = 0;
});
afterAll(() => platform.close());

/** A registry whose channels are fake sessions that record what they do on which node. */
function fakeRegistry(node: string, report: () => SessionManager): ChannelRegistry {
  const cache = new Map<number, { version: number; channel: Channel }>();
  return {
    supports: () => true,
    get(row: ChannelRow) {
      const cached = cache.get(row.id);
      if (cached?.version === row.updatedAt.getTime()) return cached.channel;
      const channel: Channel = {
        type: row.type,
        verify: () => false,
        normalize: () => ({ messages: [], statuses: [] }),
        async send(message) {
          events.push({ node, channelId: row.id, what: 'send', messageId: message.messageId });
          return { ok: true, providerMessageId: `${node}-${message.messageId}` };
        },
        session: {
          carriesSends: true,
          async start() {
            if (failingStarts.has(row.id)) throw new Error('modem not found at /dev/ttyUSB9');
            events.push({ node, channelId: row.id, what: 'start' });
            await report().reportState(row.id, { state: 'open', detail: `on ${node}` });
          },
          async stop() {
            events.push({ node, channelId: row.id, what: 'stop' });
          },
        },
      };
      cache.set(row.id, { version: row.updatedAt.getTime(), channel });
      return channel;
    },
  };
}

function node(name: string, leaseSeconds = 30): SessionManager {
  const { db, boss, realtime } = platform.services;
  let manager: SessionManager;
  const registry = fakeRegistry(name, () => manager);
  manager = createSessionManager({
    db,
    boss,
    realtime,
    logger: silent,
    registry: () => registry,
    leaseSeconds,
    pollMs: 60_000, // the tests drive polls with refresh()
    active: true,
    send: (messageId, lastAttempt) =>
      sendQueuedMessage(
        { db, boss, realtime, logger: silent, pacing: createSendPacing(db), channels: registry, sessions: manager },
        messageId,
        lastAttempt,
        'session-queue',
      ),
  });
  managers.push(manager);
  return manager;
}

const sessionChannel = () => buildChannel(platform.services.db, { type: 'smpp', address: '+59829000000' });
const lease = (channelId: number) => platform.services.db.query.channelLeases.findFirst({ where: eq(channelLeases.channelId, channelId) });
const started = (channelId: number) => events.filter((event) => event.channelId === channelId && event.what === 'start').map((event) => event.node);

describe('session channels across nodes', () => {
  it('runs each session on exactly one node, and another takes over when it stops', async () => {
    const row = await sessionChannel();
    const a = node('a');
    const b = node('b');
    await Promise.all([a.refresh(), b.refresh(), a.refresh(), b.refresh()]);
    expect(started(row.id)).toHaveLength(1);
    const holder = started(row.id)[0] === 'a' ? a : b;
    const other = holder === a ? b : a;
    expect(await lease(row.id)).toMatchObject({ nodeId: holder.nodeId, state: 'open', detail: `on ${started(row.id)[0]}` });
    expect(other.running(row.id)).toBeUndefined();

    managers.splice(managers.indexOf(holder), 1);
    await holder.stop(); // releases the lease
    await other.refresh();
    expect(started(row.id)).toHaveLength(2);
    expect(await lease(row.id)).toMatchObject({ nodeId: other.nodeId, state: 'open' });
  });

  it('takes over an expired lease of a node that died, and the old node stops when it finds out', async () => {
    const row = await sessionChannel();
    const a = node('a', 1);
    await a.refresh();
    expect(started(row.id)).toEqual(['a']);
    // `a` stops renewing (a frozen or dead process); once its lease expires, `b` takes the channel.
    const b = node('b', 30);
    await b.refresh();
    expect(started(row.id)).toEqual(['a']);
    await eventually(async () => {
      await b.refresh();
      expect(started(row.id)).toEqual(['a', 'b']);
    });
    // Past its lease, `a` fences itself: it no longer sends through the session, even before it polls.
    expect(a.running(row.id)).toBeUndefined();
    expect(b.running(row.id)).toBeDefined();
    await a.refresh();
    expect(events.filter((event) => event.channelId === row.id && event.node === 'a' && event.what === 'stop')).toHaveLength(1);
    expect(a.running(row.id)).toBeUndefined();
    // The old holder's late report does not overwrite the new holder's state.
    await a.reportState(row.id, { state: 'error', detail: 'stale' });
    expect(await lease(row.id)).toMatchObject({ nodeId: b.nodeId, state: 'open' });
  });

  it('restarts a session whose settings changed, and stops and releases one that was disabled', async () => {
    const row = await sessionChannel();
    const a = node('a');
    await a.refresh();
    await platform.services.db
      .update(channels)
      .set({ settings: { windowSize: 5 }, updatedAt: new Date(Date.now() + 1000) })
      .where(eq(channels.id, row.id));
    await a.refresh();
    expect(events.filter((event) => event.channelId === row.id).map((event) => event.what)).toEqual(['start', 'stop', 'start']);
    await platform.services.db.update(channels).set({ enabled: false }).where(eq(channels.id, row.id));
    await a.refresh();
    expect(events.filter((event) => event.channelId === row.id).map((event) => event.what)).toEqual(['start', 'stop', 'start', 'stop']);
    expect(await lease(row.id)).toBeUndefined();
  });

  it("sends a session channel's messages on the node holding the session", async () => {
    const row = await sessionChannel();
    const a = node('a');
    const b = node('b');
    await a.refresh();
    await b.refresh();
    expect(started(row.id)).toEqual(['a']);
    const { db, boss, realtime } = platform.services;
    const [message] = await db
      .insert(messages)
      .values({ channelId: row.id, direction: 'outbound', authorType: 'system', address: '+59899000001', body: 'hi', status: 'queued' })
      .returning();
    // A send job met by node b (which has no connection) goes to the channel's queue, worked by a.
    await sendQueuedMessage(
      { db, boss, realtime, logger: silent, pacing: createSendPacing(db), channels: fakeRegistry('b', () => b), sessions: b },
      message!.id,
      false,
    );
    await eventually(async () => {
      expect(await db.query.messages.findFirst({ where: eq(messages.id, message!.id) })).toMatchObject({
        status: 'sent',
        providerMessageId: `a-${message!.id}`,
      });
    });
    expect(events.filter((event) => event.channelId === row.id && event.what === 'send')).toEqual([
      { node: 'a', channelId: row.id, what: 'send', messageId: message!.id },
    ]);
  });

  it('reports a session that cannot start as an error with the reason, and tries again later', async () => {
    const row = await sessionChannel();
    failingStarts.add(row.id);
    const a = node('a');
    await a.refresh();
    expect(await lease(row.id)).toMatchObject({ nodeId: a.nodeId, state: 'error', detail: 'modem not found at /dev/ttyUSB9' });
    failingStarts.delete(row.id);
    await a.refresh(); // within the back-off: not yet
    expect(started(row.id)).toEqual([]);
  });
});
