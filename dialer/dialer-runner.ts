import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { and, eq } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Db } from '../db/connection.ts';
import { channels, dialers } from '../db/schema/index.ts';
import { isScheduleOpen } from '../bots/campaign-schedule.ts';
import type { ChannelRegistry } from '../gateway/channel-registry.ts';
import { CHANNEL_SCHEMAS } from '../gateway/channel-schemas.ts';
import type { SessionManager } from '../gateway/session/session-manager.ts';
import type { SendPacing } from '../gateway/send-pacing.ts';
import { createSlotPacer, type SlotPacer } from '../kernel/slot-pacer.ts';
import { dialerSlotClock } from './dialer-pacing.ts';
import type { Logger } from '../kernel/logger.ts';
import { BatchError, dispatchBatch, type BatchReport, type DispatchTarget } from './dispatch-batch.ts';
import { DIALER_SIGNAL } from './dialer-signal.ts';
import { recordOutcomes, recoverDeadClaims, type Outcome } from './spool-claims.ts';
import { audit } from '../kernel/audit.ts';

export type DialerRunnerDeps = {
  sql: postgres.Sql;
  db: Db;
  channels: Pick<ChannelRegistry, 'get'>;
  /** Session channels send only on the node holding the session; absent, every channel sends here. */
  sessions?: Pick<SessionManager, 'running'>;
  /** This node's channel pacers, shared with conversation sends. */
  pacing: SendPacing;
  logger: Logger;
  workerTimeoutMs: number;
  /** Batch loops per running dialer in this process. */
  concurrency: number;
  /** How often the runner looks at the dialers without being told (ms). */
  tickMs?: number;
  onBatch?: (dialerId: number, report: BatchReport) => void;
};

export type DialerRunner = { workerId: string; stop(): Promise<void> };

type Active = { target: DispatchTarget; stopping: boolean; loops: Promise<void>[]; waiters: Set<() => void> };

/**
 * Works the running dialers in this process: for each one that is enabled, started, inside its
 * schedule and sendable from this node, `concurrency` loops claim and send batches until the spool is
 * empty. A heartbeat row says this worker is alive; a worker whose heartbeat stops has its claims
 * handed out again by whichever runner notices first. `pg_notify` on `omnichat_dialer` wakes
 * the runners at once (start, stop, new rows); a tick catches the rest (schedules opening).
 */
export async function startDialerRunner(deps: DialerRunnerDeps): Promise<DialerRunner> {
  const { sql, db, logger } = deps;
  const workerId = `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
  const active = new Map<number, Active>();
  /** Each dialer's own clock on this node (its time between messages), kept while the gap stays the same. */
  const dialerPacers = new Map<number, SlotPacer>();
  const dialerPacer = (dialerId: number, gapMs: number): SlotPacer | null => {
    if (gapMs <= 0) return null;
    let pacer = dialerPacers.get(dialerId);
    if (!pacer || pacer.perSecond !== 1000 / gapMs) {
      pacer = createSlotPacer(dialerSlotClock(sql, dialerId), 1000 / gapMs);
      dialerPacers.set(dialerId, pacer);
    }
    return pacer;
  };
  /** Unspent slots go back to the shared clocks when a dialer here runs dry or stops. */
  const releasePacers = (target: DispatchTarget) =>
    Promise.all(target.pacers.map((pacer) => pacer.release())).catch((error) =>
      logger.warn({ err: error, dialerId: target.dialerId }, 'send slots not given back'),
    );
  /** Every run whose loops have not ended yet, the stopping ones included. */
  const running = new Set<Active>();
  const wake = (run: Active) => {
    for (const done of [...run.waiters]) done();
  };
  let stopped = false;
  await register();
  const heartbeat = setInterval(() => void beat(), Math.max(200, Math.floor(deps.workerTimeoutMs / 3)));
  const tick = setInterval(() => void refresh(), deps.tickMs ?? 1_000);
  const listening = await sql.listen(DIALER_SIGNAL, () => void refresh());
  let refreshing: Promise<void> | null = null;
  let again = false;
  await refresh();

  async function register() {
    await sql`insert into dialer_workers (id, node, pid) values (${workerId}, ${hostname()}, ${process.pid})
              on conflict (id) do update set heartbeat_at = clock_timestamp()`;
  }

  async function beat() {
    try {
      const result = await sql`update dialer_workers set heartbeat_at = clock_timestamp() where id = ${workerId}`;
      if (result.count === 0 && !stopped) {
        // Another node thought this worker dead (a long pause) and handed its claims out again.
        logger.warn({ workerId }, 'dialer worker was declared dead by another node; registering again');
        await register();
      }
    } catch (error) {
      logger.error({ err: error, workerId }, 'dialer heartbeat failed');
    }
  }

  /** One refresh at a time; a signal during one runs another right after. */
  function refresh(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        again = false;
        try {
          await recover();
          await reconcile();
        } catch (error) {
          logger.error({ err: error }, 'dialer runner refresh failed');
        }
      } while (again && !stopped);
    })().finally(() => (refreshing = null));
    return refreshing;
  }

  async function recover() {
    for (const { dialerId, ids } of await recoverDeadClaims(sql, workerId, deps.workerTimeoutMs)) {
      logger.warn({ dialerId, rows: ids.length, firstId: ids[0], lastId: ids.at(-1) }, 'rows of a dead dialer worker handed out again; they may be sent twice');
      await audit(db, {
        by: null,
        action: 'dialer.claims_recovered',
        target: { type: 'dialer', id: dialerId },
        details: { rows: ids.length, ids: ids.slice(0, 1000) },
      });
    }
  }

  async function reconcile() {
    const rows = await db
      .select({ dialer: dialers, channel: channels })
      .from(dialers)
      .innerJoin(channels, eq(channels.id, dialers.channelId))
      .where(and(eq(dialers.running, true), eq(dialers.enabled, true)));
    const wanted = new Map<number, DispatchTarget>();
    for (const { dialer, channel } of rows) {
      if (!channel.enabled || !(await isScheduleOpen(db, dialer.scheduleId))) continue;
      const adapter = deps.channels.get(channel);
      // A session channel's sends need its live connection: only the node holding it sends.
      const sender = adapter.session?.carriesSends && deps.sessions ? deps.sessions.running(channel.id) : adapter;
      if (!sender) continue;
      const perSecond = channel.sendsPerSecond ?? CHANNEL_SCHEMAS[channel.type]?.defaultSendsPerSecond ?? null;
      wanted.set(dialer.id, {
        dialerId: dialer.id,
        channelId: channel.id,
        channel: sender,
        defaultCountry: channel.defaultCountry,
        dialString: dialer.dialString,
        batchSize: dialer.batchSize,
        pacers: [dialerPacer(dialer.id, dialer.timeBetweenMessagesMs), perSecond ? deps.pacing.forChannel(channel.id, perSecond) : null].filter(
          (pacer) => pacer !== null,
        ),
        dncrCheck: dialer.dncrCheck,
        quietHours: dialer.quietHours,
        template: dialer.template,
        sendConcurrency: adapter.session ? (adapter.session.sendConcurrency ?? 1) : 8,
      });
    }
    for (const [dialerId, run] of active) {
      const target = wanted.get(dialerId);
      if (target) {
        run.target = target;
        continue;
      }
      run.stopping = true;
      wake(run);
      active.delete(dialerId);
    }
    for (const [dialerId, target] of wanted) {
      const run = active.get(dialerId);
      if (run) wake(run);
      else start(target);
    }
  }

  function start(target: DispatchTarget) {
    const run: Active = { target, stopping: false, loops: [], waiters: new Set() };
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          run.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        run.waiters.add(done);
      });
    const loop = async () => {
      /** Outcomes of sends a failed batch could not store: stored before anything more is claimed. */
      let unstored: Outcome[] = [];
      while (!run.stopping && !stopped) {
        try {
          if (unstored.length) {
            await recordOutcomes(sql, workerId, unstored);
            unstored = [];
          }
          const report = await dispatchBatch(sql, workerId, run.target, () => run.stopping || stopped);
          if (report.claimed > 0) deps.onBatch?.(run.target.dialerId, report);
          if (report.claimed === 0 || report.released === report.claimed) {
            await releasePacers(run.target);
            await pause(deps.tickMs ?? 1_000);
          }
        } catch (error) {
          if (error instanceof BatchError) unstored = [...unstored, ...error.unstored];
          logger.error({ err: error, dialerId: run.target.dialerId }, 'dialer batch failed');
          await pause(1_000);
        }
      }
      await releasePacers(run.target);
      // Stopping: a last try, so a stopped dialer does not leave sent rows looking unsent.
      if (unstored.length)
        await recordOutcomes(sql, workerId, unstored).catch((error) => logger.error({ err: error, rows: unstored.length }, 'dialer outcomes not stored'));
    };
    run.loops = Array.from({ length: deps.concurrency }, loop);
    active.set(target.dialerId, run);
    running.add(run);
    void Promise.all(run.loops).then(() => running.delete(run));
  }

  return {
    workerId,
    async stop() {
      stopped = true;
      clearInterval(heartbeat);
      clearInterval(tick);
      await listening.unlisten();
      await refreshing;
      for (const run of running) wake(run);
      await Promise.all([...running].flatMap((run) => run.loops));
      await sql`delete from dialer_workers where id = ${workerId}`;
    },
  };
}
