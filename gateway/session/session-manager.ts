import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { JobWithMetadata, PgBoss, Queue } from 'pg-boss';
import type { Db } from '../../db/connection.ts';
import { channelLeases, channels } from '../../db/schema/index.ts';
import type { Logger } from '../../kernel/logger.ts';
import { ensureQueue, HEARTBEAT_REFRESH_SECONDS, runFifoJob } from '../../kernel/job-queue.ts';
import { sessionOutboundQueue } from '../../kernel/queues.ts';
import { rooms, type Realtime } from '../../kernel/realtime.ts';
import type { Channel, ChannelRow, SessionState } from '../channel.ts';
import type { ChannelRegistry } from '../channel-registry.ts';
import { storableText } from '../../kernel/storable-text.ts';

/**
 * A session may be down for a while (a modem unplugged, a phone offline): its sends wait longer than
 * an HTTP provider's before they are given up as failed (about 1.5 hours in all). Strict FIFO per
 * customer, as `gateway.outbound`: the jobs keep their customer key when they move here.
 */
export const SESSION_SEND_QUEUE_OPTIONS: Omit<Queue, 'name'> = {
  policy: 'key_strict_fifo',
  retryLimit: 12,
  retryDelay: 5,
  retryBackoff: true,
  retryDelayMax: 600,
  notify: true,
};

export type SessionManager = {
  readonly nodeId: string;
  /** The started channel when this node holds its session, else undefined. */
  running(channelId: number): Channel | undefined;
  /** Creates a session channel's send queue (idempotent; memoized per process). */
  ensureSendQueue(channelId: number): Promise<string>;
  /** Looks at the channels now (after an admin change) instead of at the next poll. */
  refresh(): Promise<void>;
  /** Writes a session's live state (only while this node holds it) and tells the admins' consoles. */
  reportState(channelId: number, state: SessionState): Promise<void>;
  start(): Promise<void>;
  /** Stops every session and gives up its lease, so another node takes over at once. */
  stop(): Promise<void>;
};

type Running = { version: number; channel: Channel; sendQueue: string | null };

type ManagerDeps = {
  db: Db;
  boss: PgBoss;
  realtime: Realtime;
  logger: Logger;
  registry: () => ChannelRegistry;
  leaseSeconds: number;
  pollMs: number;
  /** Whether this node takes sessions (the `session-channels` role). */
  active: boolean;
  /** Sends a customer's queued messages through a running session (the send job's logic). */
  send(messageId: number, lastAttempt: boolean): Promise<void>;
};

/**
 * Holds session channels under leases: each poll it renews the leases it holds, takes free or expired
 * ones, starts what it took, restarts what an admin changed, and stops what it lost, what was
 * disabled and what was deleted. Sends of a session channel queue on that channel's own queue, which
 * only the holder works, so a message never reaches a node without the connection.
 */
export function createSessionManager(deps: ManagerDeps): SessionManager {
  const nodeId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const logger = deps.logger.child({ nodeId });
  const running = new Map<number, Running>();
  /**
   * Local time until which this node may act for a channel: its lease's expiry as of the last
   * renewal, counted from before the renewal was sent. Past it, another node may hold the channel, so
   * this node neither sends through the session nor keeps it running (self-fencing).
   */
  const deadlines = new Map<number, number>();
  const failedAt = new Map<number, number>();
  const queues = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();
  let stopped = false;

  async function ensureSendQueue(channelId: number) {
    const name = sessionOutboundQueue(channelId);
    if (!queues.has(name)) {
      await ensureQueue(deps.boss, name, SESSION_SEND_QUEUE_OPTIONS);
      queues.add(name);
    }
    return name;
  }

  async function reportState(channelId: number, state: SessionState) {
    const qr = state.state === 'qr' ? state.qr : null;
    const detail = 'detail' in state && state.detail ? storableText(state.detail) : null;
    const [row] = await deps.db
      .update(channelLeases)
      .set({ state: state.state, qr, detail, updatedAt: new Date() })
      .where(and(eq(channelLeases.channelId, channelId), eq(channelLeases.nodeId, nodeId)))
      .returning({ updatedAt: channelLeases.updatedAt });
    if (!row) return; // not ours (lost the lease): the holder reports
    deps.realtime.publish([
      {
        rooms: [rooms.admins],
        event: 'channel.session',
        payload: { channelId, state: state.state, qr, detail, node: nodeId, updatedAt: row.updatedAt.toISOString() },
      },
    ]);
  }

  /** Takes or renews the lease; true when this node holds it afterwards. */
  async function lease(channelId: number): Promise<boolean> {
    const askedAt = Date.now();
    const rows = await deps.db.execute<{ channel_id: number }>(sql`
      insert into channel_leases (channel_id, node_id, expires_at, state, updated_at)
      values (${channelId}, ${nodeId}, now() + make_interval(secs => ${deps.leaseSeconds}), 'connecting', now())
      on conflict (channel_id) do update set
        node_id = excluded.node_id,
        expires_at = excluded.expires_at,
        state = case when channel_leases.node_id = excluded.node_id then channel_leases.state else 'connecting' end,
        qr = case when channel_leases.node_id = excluded.node_id then channel_leases.qr end,
        detail = case when channel_leases.node_id = excluded.node_id then channel_leases.detail end,
        updated_at = case when channel_leases.node_id = excluded.node_id then channel_leases.updated_at else now() end
      where channel_leases.node_id = excluded.node_id or channel_leases.expires_at < now()
      returning channel_id`);
    if (rows.length > 0) deadlines.set(channelId, askedAt + deps.leaseSeconds * 1000);
    return rows.length > 0;
  }

  /**
   * Renews every lease this node holds in one statement, on its own timer, so a slow start or stop
   * of one session never lets the others' leases lapse; then stops what is past its deadline.
   */
  async function renewHeld() {
    const held = [...running.keys()];
    if (held.length > 0) {
      const askedAt = Date.now();
      try {
        const renewed = await deps.db
          .update(channelLeases)
          .set({ expiresAt: sql`now() + make_interval(secs => ${deps.leaseSeconds})` })
          .where(and(eq(channelLeases.nodeId, nodeId), inArray(channelLeases.channelId, held)))
          .returning({ channelId: channelLeases.channelId });
        for (const { channelId } of renewed) deadlines.set(channelId, askedAt + deps.leaseSeconds * 1000);
      } catch (error) {
        logger.warn({ err: error }, 'session leases not renewed');
      }
    }
    const expired = [...running.keys()].filter((channelId) => !fenced(channelId));
    if (expired.length > 0) {
      ticking = ticking
        .then(async () => {
          for (const channelId of expired) if (!fenced(channelId)) await stopOne(channelId, 'lease expired');
        })
        .catch((error: unknown) => logger.error({ err: error }, 'expired sessions not stopped'));
    }
  }

  /** Whether this node may still act for the channel (its lease is known to be valid). */
  const fenced = (channelId: number) => (deadlines.get(channelId) ?? 0) > Date.now();

  async function release(channelId: number) {
    await deps.db.delete(channelLeases).where(and(eq(channelLeases.channelId, channelId), eq(channelLeases.nodeId, nodeId)));
  }

  async function stopOne(channelId: number, why: string) {
    const current = running.get(channelId);
    if (!current) return;
    running.delete(channelId);
    deadlines.delete(channelId);
    logger.info({ channelId, why }, 'stopping channel session');
    if (current.sendQueue)
      await deps.boss
        .offWork(current.sendQueue, { wait: true })
        .catch((error: unknown) => logger.warn({ err: error, channelId }, 'send worker did not stop cleanly'));
    await current.channel.session!.stop().catch((error: unknown) => logger.warn({ err: error, channelId }, 'session did not stop cleanly'));
  }

  async function startOne(row: ChannelRow, channel: Channel) {
    const session = channel.session!;
    logger.info({ channelId: row.id, type: row.type }, 'starting channel session');
    try {
      await session.start();
    } catch (error) {
      failedAt.set(row.id, Date.now());
      const detail = error instanceof Error ? error.message : String(error);
      logger.warn({ err: error, channelId: row.id }, 'channel session did not start');
      await session.stop().catch(() => {});
      await reportState(row.id, { state: 'error', detail });
      return;
    }
    failedAt.delete(row.id);
    let sendQueue: string | null = null;
    if (session.carriesSends) {
      sendQueue = await ensureSendQueue(row.id);
      // Each of the `sendConcurrency` workers takes one job, and key_strict_fifo never hands out two
      // jobs of one customer at once: several customers at a time (an SMPP window), never two
      // messages of one customer.
      const work = {
        batchSize: 1,
        includeMetadata: true,
        pollingIntervalSeconds: 1,
        localConcurrency: session.sendConcurrency ?? 1,
        heartbeatRefreshSeconds: HEARTBEAT_REFRESH_SECONDS,
      } as const;
      await deps.boss.work(sendQueue, work, async ([job]: JobWithMetadata<{ messageId: number }>[]) => {
        const log = { context: { channelId: row.id, messageId: job!.data.messageId }, gaveUp: 'session send job gave up; the message stays queued' };
        await runFifoJob(job!, logger, log, (lastAttempt) => deps.send(job!.data.messageId, lastAttempt));
      });
    }
    running.set(row.id, { version: row.updatedAt.getTime(), channel, sendQueue });
  }

  async function tick() {
    if (stopped) return;
    const registry = deps.registry();
    const rows = await deps.db.select().from(channels).where(eq(channels.enabled, true));
    const wanted = new Map<number, { row: ChannelRow; channel: Channel }>();
    for (const row of rows) {
      if (!registry.supports(row.type)) continue;
      try {
        const channel = registry.get(row);
        if (channel.session) wanted.set(row.id, { row, channel });
      } catch (error) {
        logger.warn({ err: error, channelId: row.id }, 'channel adapter could not be built');
      }
    }
    for (const channelId of [...running.keys()]) {
      if (!wanted.has(channelId)) {
        await stopOne(channelId, 'disabled or deleted');
        await release(channelId);
      }
    }
    for (const [channelId, { row, channel }] of wanted) {
      if (stopped) return;
      const held = await lease(channelId);
      const current = running.get(channelId);
      if (!held) {
        if (current) await stopOne(channelId, 'lease taken by another node');
        continue;
      }
      if (current && current.version !== row.updatedAt.getTime()) await stopOne(channelId, 'settings changed');
      if (running.has(channelId)) continue;
      const lastFailure = failedAt.get(channelId);
      if (lastFailure !== undefined && Date.now() - lastFailure < 10_000) continue;
      await startOne(row, channel);
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      void refresh().finally(schedule);
    }, deps.pollMs);
    timer.unref();
  }

  /** Ticks never overlap: a refresh waits for the one in progress, then runs its own. */
  function refresh(): Promise<void> {
    if (!deps.active) return Promise.resolve();
    ticking = ticking.then(tick).catch((error: unknown) => logger.error({ err: error }, 'session poll failed'));
    return ticking;
  }

  return {
    nodeId,
    running: (channelId) => (fenced(channelId) ? running.get(channelId)?.channel : undefined),
    ensureSendQueue,
    refresh,
    reportState,
    async start() {
      if (!deps.active) return;
      await refresh();
      schedule();
      renewTimer = setInterval(() => void renewHeld(), Math.min(deps.pollMs, (deps.leaseSeconds * 1000) / 3));
      renewTimer.unref();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(renewTimer);
      await ticking;
      for (const channelId of [...running.keys()]) {
        await stopOne(channelId, 'node shutting down');
        await release(channelId);
      }
    },
  };
}
