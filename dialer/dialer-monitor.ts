import { sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import { isScheduleOpen } from '../bots/campaign-schedule.ts';
import { SPOOL_STATE_NAMES, type DialerCampaignMonitor, type DialerMonitor, type SpoolCounts } from '../contract/dialer.ts';
import type { Logger } from '../kernel/logger.ts';
import { campaignWatchers, type Realtime } from '../kernel/realtime.ts';

const MINUTES_SHOWN = 15;

const emptyCounts = (): SpoolCounts => Object.fromEntries(SPOOL_STATE_NAMES.map((name) => [name, 0])) as SpoolCounts;
/** Done with: every state but NONE and TO PROCESS. */
const processedOf = (counts: SpoolCounts) => counts.sent + counts.blocked + counts.other + counts.failed + counts.cancelled;

type DialerRow = { id: number; name: string; enabled: boolean; running: boolean; schedule_id: number | null; security_group_id: number | null };

/**
 * The seed's dialers monitor, from the counters the spool's triggers keep (never a count over the
 * spool itself): per dialer and campaign, processed, not processed, other, blocked, failed; sent per
 * minute; status (active when enabled, started and inside its schedule) and on schedule.
 */
export async function dialerMonitors(db: Executor, condition = sql`true`): Promise<(DialerMonitor & { securityGroupId: number | null })[]> {
  const dialerRows = (await db.execute(sql`
    select d.id, d.name, d.enabled, d.running, d.schedule_id, d.security_group_id from dialers d where ${condition} order by d.name`)) as unknown as DialerRow[];
  if (dialerRows.length === 0) return [];
  const ids = dialerRows.map((row) => row.id);
  const counts = (await db.execute(sql`
    select c.dialer_id, c.campaign_id, k.name, c.state, c.count::float8 as count
      from spool_counts c join campaigns k on k.id = c.campaign_id
     where c.dialer_id in ${ids} and c.count <> 0`)) as unknown as { dialer_id: number; campaign_id: number; name: string; state: number; count: number }[];
  const minutes = (await db.execute(sql`
    select dialer_id, minute, sent::float8 as sent from spool_sent_minutes
     where dialer_id in ${ids} and minute >= date_trunc('minute', now()) - make_interval(mins => ${MINUTES_SHOWN})
     order by minute`)) as unknown as { dialer_id: number; minute: Date | string; sent: number }[];
  const [{ now } = { now: new Date() }] = (await db.execute(sql`select now() as now`)) as unknown as { now: Date | string }[];
  const at = new Date(now);
  const lastFullMinute = new Date(Math.floor(at.getTime() / 60_000) * 60_000 - 60_000).getTime();
  return Promise.all(
    dialerRows.map(async (dialer) => {
      const campaigns = new Map<number, DialerCampaignMonitor>();
      const totals = emptyCounts();
      for (const row of counts.filter((count) => count.dialer_id === dialer.id)) {
        const entry = campaigns.get(row.campaign_id) ?? {
          campaign: { id: row.campaign_id, name: row.name },
          counts: emptyCounts(),
          processed: 0,
          notProcessed: 0,
        };
        const state = SPOOL_STATE_NAMES[row.state]!;
        entry.counts[state] += row.count;
        totals[state] += row.count;
        campaigns.set(row.campaign_id, entry);
      }
      for (const entry of campaigns.values()) {
        entry.processed = processedOf(entry.counts);
        entry.notProcessed = entry.counts.to_process;
      }
      const sentByMinute = minutes
        .filter((minute) => minute.dialer_id === dialer.id)
        .map((minute) => ({ minute: new Date(minute.minute).toISOString(), sent: minute.sent }));
      const onSchedule = await isScheduleOpen(db, dialer.schedule_id, at);
      return {
        dialer: { id: dialer.id, name: dialer.name },
        securityGroupId: dialer.security_group_id,
        status: dialer.enabled && dialer.running && onSchedule ? ('active' as const) : ('inactive' as const),
        onSchedule,
        enabled: dialer.enabled,
        running: dialer.running,
        campaigns: [...campaigns.values()].sort((a, b) => a.campaign.name.localeCompare(b.campaign.name)),
        totals: { ...totals, processed: processedOf(totals), notProcessed: totals.to_process },
        sentPerMinute: sentByMinute.find((minute) => new Date(minute.minute).getTime() === lastFullMinute)?.sent ?? 0,
        sentByMinute,
        at: at.toISOString(),
      };
    }),
  );
}

/** The wire shape, without the routing field. */
export function presentMonitor({ securityGroupId: _, ...monitor }: DialerMonitor & { securityGroupId: number | null }): DialerMonitor {
  return monitor;
}

/**
 * Pushes each dialer's figures to the supervisors who may see it, about every second, when they
 * changed (the counters move with every batch, whichever node sent it: no signal is needed).
 */
export function startDialerMonitorPublisher(input: { db: Executor; realtime: Realtime; logger: Logger; intervalMs?: number }): { stop(): Promise<void> } {
  const last = new Map<number, string>();
  let round: Promise<void> | null = null;
  const publish = async () => {
    try {
      for (const monitor of await dialerMonitors(input.db)) {
        const view = presentMonitor(monitor);
        const { at: _, ...figures } = view;
        const key = JSON.stringify(figures);
        if (last.get(view.dialer.id) === key) continue;
        last.set(view.dialer.id, key);
        input.realtime.publish([{ rooms: campaignWatchers(monitor.securityGroupId), event: 'dialer.monitor', payload: view }]);
      }
    } catch (error) {
      input.logger.warn({ err: error }, 'dialer monitor not computed');
    }
  };
  const timer = setInterval(() => {
    round ??= publish().finally(() => (round = null));
  }, input.intervalMs ?? 1_000);
  return {
    async stop() {
      clearInterval(timer);
      await round;
    },
  };
}
