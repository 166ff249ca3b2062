import type postgres from 'postgres';
import type { Executor } from '../db/connection.ts';
import type { Logger } from '../kernel/logger.ts';
import { rooms, type Realtime } from '../kernel/realtime.ts';
import { agentMonitors, campaignMonitors } from './campaign-metrics.ts';

/** The PostgreSQL channel on which nodes without HTTP say which campaigns changed. */
const CHANNEL = 'omnichat_monitor';

export type MonitorPublisher = {
  /** Something changed in these campaigns: recompute and push their figures shortly. */
  markDirty(campaignIds: Iterable<number>): void;
  stop(): Promise<void>;
};

/**
 * Pushes each campaign's live figures to its supervisors within a fraction of a second of a change.
 * Changes are collected for `delayMs` and recomputed together from the database (never patched in
 * memory), one round at a time, so a burst of assignments costs one computation, not one each.
 * Processes serving HTTP listen for changes made by worker-only processes on a PostgreSQL channel.
 */
export async function createMonitorPublisher(input: {
  db: Executor;
  sql: postgres.Sql;
  realtime: Realtime;
  logger: Logger;
  timeZone: string;
  delayMs?: number;
}): Promise<MonitorPublisher> {
  const { delayMs = 150 } = input;
  const pending = new Set<number>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  const flush = async () => {
    timer = null;
    const ids = [...pending];
    pending.clear();
    try {
      const [monitors, agents] = await Promise.all([
        campaignMonitors(input.db, ids, { defaultTimeZone: input.timeZone }),
        agentMonitors(input.db, ids, { timeZone: input.timeZone }),
      ]);
      input.realtime.publish(
        monitors.flatMap((monitor) => [
          { rooms: [rooms.campaign(monitor.campaignId)], event: 'monitor.campaign', payload: monitor },
          {
            rooms: [rooms.campaign(monitor.campaignId)],
            event: 'monitor.agents',
            payload: agents.filter((agent) => agent.campaignIds.includes(monitor.campaignId)),
          },
        ]),
      );
    } catch (error) {
      if (!stopped) input.logger.warn({ err: error }, 'monitor figures not computed');
    }
  };
  const arm = () => {
    if (timer || stopped || pending.size === 0) return;
    timer = setTimeout(() => {
      running = flush().finally(() => {
        running = null;
        arm();
      });
    }, delayMs);
  };
  const markDirty = (campaignIds: Iterable<number>) => {
    for (const id of campaignIds) pending.add(id);
    if (!running) arm();
  };

  const listening = await input.sql.listen(CHANNEL, (payload) => markDirty(payload.split(',').map(Number).filter(Number.isInteger)));
  return {
    markDirty,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await listening.unlisten().catch(() => {});
    },
  };
}

/** For processes without HTTP: tells the HTTP nodes which campaigns changed, at most every `delayMs`. */
export function createMonitorSignal(sql: postgres.Sql, logger: Logger, delayMs = 100) {
  const pending = new Set<number>();
  let timer: NodeJS.Timeout | null = null;
  const send = async () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.size === 0) return;
    const payload = [...pending].join(',');
    pending.clear();
    await sql`select pg_notify(${CHANNEL}, ${payload})`.catch((error: unknown) => logger.warn({ err: error }, 'monitor signal not sent'));
  };
  return {
    signal(campaignIds: Iterable<number>) {
      for (const id of campaignIds) pending.add(id);
      timer ??= setTimeout(() => void send(), delayMs);
      timer.unref?.();
    },
    /** Sends what is pending now (before the connection closes on shutdown). */
    flush: send,
  };
}
