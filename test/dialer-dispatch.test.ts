import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, dialerWorkers, dialers, dncr, spool } from '../db/schema/index.ts';
import type { Channel, ChannelRow, OutboundMessage, SendResult } from '../gateway/channel.ts';
import { startDialerRunner, type DialerRunner } from '../dialer/dialer-runner.ts';
import { dispatchBatch } from '../dialer/dispatch-batch.ts';
import { signalDialer } from '../dialer/dialer-signal.ts';
import { spoolMessage, SINGLE_SEND_PRIORITY } from '../dialer/spool-message.ts';
import { createLogger } from '../kernel/logger.ts';
import type { DialerMonitor } from '../contract/dialer.ts';
import { buildCampaign, buildDialer, buildSchedule, buildSimulatorChannel, buildUser, TEST_PASSWORD } from './harness/factories.ts';
import { closeOpened, openSmpp } from '../gateway/smpp/testing/smpp-test-session.ts';
import { api, connectClient, eventually, login, nextEvent, startTestPlatform, type TestPlatform } from './harness/test-platform.ts';

let platform: TestPlatform;
const runners: DialerRunner[] = [];
beforeAll(async () => {
  // No workers role: each test runs its own dialer runner against a capturing channel.
  platform = await startTestPlatform({ ROLES: 'http' });
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  await closeOpened();
});
afterAll(() => platform.close());

/** A channel that records every send (and can refuse, pause, or hold each send until `hold` settles). */
function capturingChannel(options: { refuse?: (message: OutboundMessage) => SendResult | null; delayMs?: number; hold?: Promise<unknown> } = {}) {
  const sent: OutboundMessage[] = [];
  const channel = {
    type: 'simulator',
    verify: () => true,
    normalize: () => ({ messages: [], statuses: [] }),
    async send(message: OutboundMessage): Promise<SendResult> {
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      await options.hold;
      const refusal = options.refuse?.(message);
      if (refusal) return refusal;
      sent.push(message);
      return { ok: true, providerMessageId: `cap-${message.messageId}` };
    },
  } as Channel;
  return { sent, channel };
}

/**
 * Long enough that no live runner is ever thought dead, however loaded the machine (its heartbeat
 * beats every third of it); a test wanting a dead worker ages that worker's heartbeat by hand.
 */
const WORKER_TIMEOUT_MS = 10 * 60_000;
const LONG_DEAD = () => new Date(Date.now() - 60 * 60_000);

/**
 * How many times a runner has looked at the dialers of each channel: on each refresh (tick or
 * signal) it asks for the adapter of every dialer it will run, so a dialer that runs counts the
 * runner's refreshes. The observable beat a test waits on instead of sleeping.
 */
const looks = new Map<number, number>();

/** Resolves once the runners have looked `times` more times at the dialer on `channelId`. */
async function refreshes(channelId: number, times: number) {
  const target = (looks.get(channelId) ?? 0) + times;
  await eventually(() => expect(looks.get(channelId) ?? 0).toBeGreaterThanOrEqual(target));
}

async function runner(channel: Channel, overrides: { concurrency?: number } = {}) {
  const { services } = platform;
  const started = await startDialerRunner({
    sql: services.sql,
    db: services.db,
    channels: {
      get: (row: ChannelRow) => {
        looks.set(row.id, (looks.get(row.id) ?? 0) + 1);
        return channel;
      },
    },
    pacing: services.pacing,
    logger: createLogger('silent'),
    workerTimeoutMs: WORKER_TIMEOUT_MS,
    concurrency: overrides.concurrency ?? 2,
    tickMs: 100,
  });
  runners.push(started);
  return started;
}

async function setup(dialerOverrides: Partial<typeof dialers.$inferInsert> = {}) {
  const { db } = platform.services;
  const channel = await buildSimulatorChannel(db, { defaultCountry: 'UY' });
  const campaign = await buildCampaign(db);
  const dialer = await buildDialer(db, channel.id, { running: true, ...dialerOverrides });
  return { channel, campaign, dialer };
}

async function addRows(dialerId: number, campaignId: number, rows: { destination: string; message?: string; priority?: number }[]) {
  const inserted = await platform.services.db
    .insert(spool)
    .values(
      rows.map((row, index) => ({
        dialerId,
        campaignId,
        destination: row.destination,
        message: row.message ?? `message ${index + 1}`,
        priority: row.priority ?? 0,
      })),
    )
    .returning({ id: spool.id });
  await signalDialer(platform.services.db, dialerId);
  return inserted.map((row) => row.id);
}

const states = async (dialerId: number) =>
  platform.services.db
    .select({ id: spool.id, state: spool.state, destination: spool.destination, error: spool.error, attempts: spool.attempts })
    .from(spool)
    .where(eq(spool.dialerId, dialerId))
    .orderBy(asc(spool.id));

const uyNumber = (n: number) => `0991${String(n).padStart(5, '0')}`;

describe('the dialer', () => {
  it('sends in order: higher priority first, then entry position; single sends go ahead of the file', async () => {
    const { campaign, dialer } = await setup({ running: false });
    const ids = await addRows(dialer.id, campaign.id, [
      { destination: uyNumber(1), priority: 0 },
      { destination: uyNumber(2), priority: 9999 },
      { destination: uyNumber(3), priority: 0 },
      { destination: uyNumber(4), priority: 9999 },
    ]);
    const single = await spoolMessage(platform.services.db, { dialerId: dialer.id, campaignId: campaign.id, destination: uyNumber(5), message: 'now' });
    expect(single.priority).toBe(SINGLE_SEND_PRIORITY);
    await platform.services.db.update(dialers).set({ running: true }).where(eq(dialers.id, dialer.id));
    const { sent, channel } = capturingChannel();
    await runner(channel, { concurrency: 1 });
    await eventually(() => expect(sent).toHaveLength(5));
    expect(sent.map((message) => message.messageId)).toEqual([single.id, ids[1], ids[3], ids[0], ids[2]]);
    expect(sent[0]!.to).toBe('+59899100005');
    // An outcome is stored after its send returns: wait for it rather than race it.
    await eventually(async () => expect((await states(dialer.id)).every((row) => row.state === 2)).toBe(true));
  });

  it('blocks DNCR numbers (global and the campaign own) without sending, counts bad numbers as OTHER, and the monitor shows it', async () => {
    const { db } = platform.services;
    const { campaign, dialer } = await setup();
    const other = await buildCampaign(db);
    await db.insert(dncr).values([
      { number: '+59899200001', campaignId: null },
      { number: '+59899200002', campaignId: campaign.id },
      { number: '+59899200003', campaignId: other.id }, // another campaign's list does not block this one
    ]);
    const { sent, channel } = capturingChannel();
    await runner(channel);
    // The list holds E.164; the file has local numbers: they are compared as the same number.
    await addRows(dialer.id, campaign.id, [
      { destination: '099200001' },
      { destination: '099200002' },
      { destination: '099200003' },
      { destination: '12' },
      { destination: 'not a number' },
      { destination: '099200006' },
    ]);
    await eventually(async () => expect((await states(dialer.id)).filter((row) => row.state === 1)).toHaveLength(0));
    expect(sent.map((message) => message.to).sort()).toEqual(['+59899200003', '+59899200006']);
    const rows = await states(dialer.id);
    expect(rows.map((row) => row.state)).toEqual([3, 3, 2, 4, 4, 2]);
    expect(rows[3]!.error).toContain('not a valid phone number');

    const supervisor = await buildUser(db, { role: 'supervisor' });
    const cookie = await login(platform.url, supervisor.username, TEST_PASSWORD);
    const monitor = await api(platform.url, 'GET', '/api/dialer-monitor', { cookie });
    const mine = monitor.body.dialers.find((entry: { dialer: { id: number } }) => entry.dialer.id === dialer.id);
    expect(mine.totals).toMatchObject({ sent: 2, blocked: 2, other: 2, processed: 6, notProcessed: 0 });
    expect(mine.campaigns[0]).toMatchObject({ campaign: { id: campaign.id }, processed: 6, notProcessed: 0 });
    expect(mine.status).toBe('active');
  });

  it('pushes the dialers monitor live to supervisors while it sends', async () => {
    const { db } = platform.services;
    const { campaign, dialer } = await setup();
    const supervisor = await buildUser(db, { role: 'supervisor' });
    const socket = await connectClient(platform.url, { cookie: await login(platform.url, supervisor.username, TEST_PASSWORD) });
    try {
      const { channel } = capturingChannel();
      await runner(channel);
      const pushed = nextEvent(socket, 'dialer.monitor', (monitor: DialerMonitor) => monitor.dialer.id === dialer.id && monitor.totals.sent === 3);
      await addRows(dialer.id, campaign.id, [{ destination: uyNumber(201) }, { destination: uyNumber(202) }, { destination: uyNumber(203) }]);
      const monitor = await pushed;
      expect(monitor).toMatchObject({ status: 'active', onSchedule: true, running: true, totals: { sent: 3, notProcessed: 0, processed: 3 } });
      expect(monitor.sentByMinute.reduce((sum, minute) => sum + minute.sent, 0)).toBe(3);
    } finally {
      socket.close();
    }
  });

  it('sends nothing outside its schedule, and starts when the schedule opens', async () => {
    const { db } = platform.services;
    const closed = await buildSchedule(db, { open: 'never' });
    const { campaign, dialer } = await setup({ scheduleId: closed.id });
    const { sent, channel } = capturingChannel();
    // An open dialer beside it, with nothing to send: the runner looks at it on every refresh.
    const witness = await setup();
    await runner(channel);
    await addRows(dialer.id, campaign.id, [{ destination: uyNumber(1) }]);
    const always = await buildSchedule(db, { open: 'always' });
    // Several refreshes pass with the row waiting: nothing may be claimed or sent while closed.
    await refreshes(witness.channel.id, 5);
    expect(sent).toHaveLength(0);
    expect((await states(dialer.id)).map((row) => [row.state, row.attempts])).toEqual([[1, 0]]);
    await db.update(dialers).set({ scheduleId: always.id }).where(eq(dialers.id, dialer.id));
    await eventually(() => expect(sent).toHaveLength(1));
  });

  it('stops on demand: the message in hand finishes, the rest stays TO PROCESS; start sends them', async () => {
    const { db } = platform.services;
    const { campaign, dialer } = await setup({ timeBetweenMessagesMs: 150, batchSize: 50 });
    // An open dialer beside it, with nothing to send: the runner looks at it on every refresh.
    const witness = await setup();
    const admin = await buildUser(db, { role: 'admin' });
    const cookie = await login(platform.url, admin.username, TEST_PASSWORD);
    const { sent, channel } = capturingChannel();
    await runner(channel);
    await addRows(
      dialer.id,
      campaign.id,
      Array.from({ length: 20 }, (_, i) => ({ destination: uyNumber(i + 1) })),
    );
    await eventually(() => expect(sent.length).toBeGreaterThanOrEqual(3));
    expect((await api(platform.url, 'POST', `/api/dialers/${dialer.id}/stop`, { cookie })).body.running).toBe(false);
    const atStop = sent.length;
    await eventually(async () => expect((await states(dialer.id)).filter((row) => row.state === 1 && row.attempts > 0)).toHaveLength(0));
    // Several refreshes after the stop, with rows waiting: at most the one send that was in hand
    // when the stop arrived, and nothing claimed again.
    await refreshes(witness.channel.id, 5);
    expect(sent.length - atStop).toBeLessThanOrEqual(1);
    const waiting = (await states(dialer.id)).filter((row) => row.state === 1);
    expect(waiting.length).toBe(20 - sent.length);
    expect(waiting.length).toBeGreaterThan(0);
    const claimed = await db.execute(sql`select count(*)::int as n from spool where dialer_id = ${dialer.id} and claimed_at is not null and state = 1`);
    expect((claimed as unknown as { n: number }[])[0]!.n).toBe(0);

    expect((await api(platform.url, 'POST', `/api/dialers/${dialer.id}/start`, { cookie })).body.running).toBe(true);
    await eventually(() => expect(sent).toHaveLength(20), 60_000);
    expect(new Set(sent.map((message) => message.messageId)).size).toBe(20);
  }, 120_000);

  it('keeps the SMPP window full on a paced channel, each row sent once', async () => {
    const { db } = platform.services;
    // The channel's rate is set (as every SMPP channel's is) but high enough not to bind.
    const { campaign, dialer, channel: row } = await setup({ timeBetweenMessagesMs: 0, batchSize: 50 });
    await db.execute(sql`update channels set sends_per_second = 1000 where id = ${row.id}`);
    const { smsc, channel } = await openSmpp({ settings: { windowSize: 10 } });
    smsc.hold();
    await runner(channel);
    await addRows(
      dialer.id,
      campaign.id,
      Array.from({ length: 120 }, (_, i) => ({ destination: uyNumber(i + 1) })),
    );
    // Ten submits await their answers at once: the whole window, not one per batch loop.
    await eventually(() => expect(smsc.held).toBe(10));
    smsc.releaseHeld({ stopHolding: true });
    await eventually(async () => expect((await states(dialer.id)).filter((r) => r.state === 2)).toHaveLength(120), 30_000);
    expect(smsc.state.maxOutstanding).toBe(10);
    expect(new Set(smsc.submitted.map((part) => part.to)).size).toBe(120);
    expect(smsc.submitted).toHaveLength(120);
  }, 60_000);

  it('stops every lane when one fails to take a slot: nothing more is sent, what was sent is stored, the rest goes back', async () => {
    const { db, sql: client } = platform.services;
    const { campaign, dialer } = await setup({ running: false, timeBetweenMessagesMs: 0 });
    await addRows(
      dialer.id,
      campaign.id,
      Array.from({ length: 40 }, (_, i) => ({ destination: uyNumber(i + 1) })),
    );
    const { sent, channel } = capturingChannel();
    let takes = 0;
    // A pacer whose clock is lost on the tenth slot (the database went away), with four lanes sending.
    const failing = {
      perSecond: 1_000,
      async take() {
        if (++takes === 10) throw new Error('the database went away');
        await new Promise((resolve) => setImmediate(resolve));
      },
      release: async () => {},
    };
    const target = {
      dialerId: dialer.id,
      channelId: dialer.channelId,
      channel,
      defaultCountry: 'UY',
      dialString: null,
      batchSize: 40,
      pacers: [failing],
      dncrCheck: false,
      quietHours: false,
      template: null,
      sendConcurrency: 4,
    };
    await expect(dispatchBatch(client, 'test-worker', target, () => false)).rejects.toThrow('the database went away');
    const sentAtFailure = sent.length;
    expect(sentAtFailure).toBeLessThan(10);
    const rows = await states(dialer.id);
    // Sent rows are stored SENT, once; every other row waits again, unclaimed, and nothing more was sent.
    expect(rows.filter((row) => row.state === 2)).toHaveLength(sentAtFailure);
    expect(rows.filter((row) => row.state === 1)).toHaveLength(40 - sentAtFailure);
    const [claimed] = (await db.execute(
      sql`select count(*)::int as n from spool where dialer_id = ${dialer.id} and claimed_at is not null and state = 1`,
    )) as unknown as { n: number }[];
    expect(claimed!.n).toBe(0);
    expect(sent.length).toBe(sentAtFailure);
  });

  it('starts only when enabled', async () => {
    const { db } = platform.services;
    const { dialer } = await setup({ running: false, enabled: false });
    const admin = await buildUser(db, { role: 'admin' });
    const cookie = await login(platform.url, admin.username, TEST_PASSWORD);
    const refused = await api(platform.url, 'POST', `/api/dialers/${dialer.id}/start`, { cookie });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'not_enabled' });
  });

  it('sends a single message ahead of the file, with the web service rules for its text', async () => {
    const { db } = platform.services;
    const { campaign, dialer } = await setup({ running: false });
    const supervisor = await buildUser(db, { role: 'supervisor' });
    const cookie = await login(platform.url, supervisor.username, TEST_PASSWORD);
    const send = (message: string) =>
      api(platform.url, 'POST', `/api/dialers/${dialer.id}/messages`, { cookie, body: { destination: '099123456', message, campaignId: campaign.id } });
    const refused = await send('write to ana@example.com');
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.error.details)).toContain('@');
    const accepted = await send('Your order shipped');
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ destination: '099123456', state: 'to_process', priority: SINGLE_SEND_PRIORITY, campaign: { id: campaign.id } });
  });

  it('deletes unprocessed rows: they become CANCELLED and stay on record', async () => {
    const { db } = platform.services;
    const { campaign, dialer } = await setup({ running: false });
    await addRows(dialer.id, campaign.id, [{ destination: uyNumber(1) }, { destination: uyNumber(2) }]);
    const supervisor = await buildUser(db, { role: 'supervisor' });
    const cookie = await login(platform.url, supervisor.username, TEST_PASSWORD);
    const answer = await api(platform.url, 'POST', `/api/dialers/${dialer.id}/cancel`, { cookie, body: {} });
    expect(answer.body).toEqual({ cancelled: 2 });
    expect((await states(dialer.id)).map((row) => row.state)).toEqual([6, 6]);
    const monitor = await api(platform.url, 'GET', '/api/dialer-monitor', { cookie });
    const mine = monitor.body.dialers.find((entry: { dialer: { id: number } }) => entry.dialer.id === dialer.id);
    expect(mine.totals).toMatchObject({ cancelled: 2, notProcessed: 0, processed: 2 });
  });

  it('several runners share a dialer without sending any row twice', async () => {
    const { campaign, dialer } = await setup({ batchSize: 7 });
    const { sent, channel } = capturingChannel({ delayMs: 1 });
    await Promise.all([runner(channel, { concurrency: 3 }), runner(channel, { concurrency: 3 }), runner(channel, { concurrency: 3 })]);
    await addRows(
      dialer.id,
      campaign.id,
      Array.from({ length: 300 }, (_, i) => ({ destination: uyNumber(i + 1) })),
    );
    await eventually(() => expect(sent.length).toBeGreaterThanOrEqual(300), 100_000);
    expect(sent).toHaveLength(300);
    expect(new Set(sent.map((message) => message.messageId)).size).toBe(300);
  }, 120_000);

  it('hands the claims of a dead worker out again, marked and audited, never silently', async () => {
    const { db } = platform.services;
    const { campaign, dialer } = await setup();
    const ids = await addRows(dialer.id, campaign.id, [{ destination: uyNumber(1) }, { destination: uyNumber(2) }]);
    // A worker that claimed both rows and then died: its heartbeat is old.
    await db.insert(dialerWorkers).values({ id: 'dead-worker', node: 'elsewhere', pid: 1, heartbeatAt: LONG_DEAD() });
    await db.update(spool).set({ claimedAt: new Date(), claimedBy: 'dead-worker', attempts: 1 }).where(eq(spool.dialerId, dialer.id));
    const { sent, channel } = capturingChannel();
    await runner(channel);
    await eventually(() => expect(sent).toHaveLength(2));
    // An outcome is stored after its send returns: wait for it rather than race it.
    await eventually(async () =>
      expect((await states(dialer.id)).map((row) => [row.state, row.attempts])).toEqual([
        [2, 2],
        [2, 2],
      ]),
    );
    const [audit] = await db.select().from(auditLog).where(eq(auditLog.action, 'dialer.claims_recovered'));
    expect(audit).toMatchObject({ targetId: String(dialer.id), details: { rows: 2, ids } });
  });

  it('a runner whose own heartbeat is late never hands out the rows it is sending: each is sent once', async () => {
    const { db } = platform.services;
    const { channel: channelRow, campaign, dialer } = await setup({ batchSize: 2 });
    let letGo!: () => void;
    const { sent, channel } = capturingChannel({ hold: new Promise<void>((resolve) => (letGo = resolve)) });
    const { workerId } = await runner(channel);
    await addRows(dialer.id, campaign.id, [{ destination: uyNumber(1) }, { destination: uyNumber(2) }]);
    const claimedByIt = async () =>
      (await db.select({ claimedBy: spool.claimedBy, attempts: spool.attempts }).from(spool).where(eq(spool.dialerId, dialer.id))).map((row) => [
        row.claimedBy,
        row.attempts,
      ]);
    try {
      await eventually(async () =>
        expect(await claimedByIt()).toEqual([
          [workerId, 1],
          [workerId, 1],
        ]),
      );
      // The batch is in the provider's hands and the runner's heartbeat is as old as a dead worker's
      // (a long pause, a loaded machine): the runner itself is alive, and refreshes several times.
      await db.update(dialerWorkers).set({ heartbeatAt: LONG_DEAD() }).where(eq(dialerWorkers.id, workerId));
      await refreshes(channelRow.id, 5);
      expect(await claimedByIt()).toEqual([
        [workerId, 1],
        [workerId, 1],
      ]);
      expect(
        await db
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.action, 'dialer.claims_recovered'), eq(auditLog.targetId, String(dialer.id)))),
      ).toEqual([]);
      // Those refreshes did see the heartbeat late (no beat came in between).
      const heartbeats = await db.select({ at: dialerWorkers.heartbeatAt }).from(dialerWorkers).where(eq(dialerWorkers.id, workerId));
      expect(heartbeats.map((row) => row.at.getTime() < Date.now() - WORKER_TIMEOUT_MS)).toEqual([true]);
    } finally {
      letGo();
    }
    await eventually(async () =>
      expect((await states(dialer.id)).map((row) => [row.state, row.attempts])).toEqual([
        [2, 1],
        [2, 1],
      ]),
    );
    await refreshes(channelRow.id, 3);
    expect(sent).toHaveLength(2);
  });

  it('retries a retryable refusal later and stores a final refusal as FAILED with the provider reason', async () => {
    const { campaign, dialer } = await setup();
    const { sent, channel } = capturingChannel({
      refuse: (message) => (message.to.endsWith('1') ? { ok: false, errorCode: '21610', errorMessage: 'unsubscribed recipient', retryable: false } : null),
    });
    await runner(channel);
    await addRows(dialer.id, campaign.id, [{ destination: uyNumber(1) }, { destination: uyNumber(2) }]);
    await eventually(async () => expect((await states(dialer.id)).map((row) => row.state)).toEqual([5, 2]));
    expect((await states(dialer.id))[0]!.error).toBe('21610: unsubscribed recipient');
    expect(sent).toHaveLength(1);
  });
});
