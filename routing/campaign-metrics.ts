import { sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import type { CampaignStrategy } from '../contract/campaigns.ts';
import type { PresenceState } from '../contract/common.ts';
import type { AgentMonitor, CampaignMonitor } from '../contract/routing.ts';

/**
 * The figures of the seed's SMS monitor, computed from the database alone, so every node and every
 * restart agrees. "Today" starts at local midnight in the campaign's schedule's time zone (else
 * `defaultTimeZone`). The formulas:
 *
 * - waiting: conversations queued now; longest wait: since the oldest of them entered the queue.
 * - active: conversations assigned now. Over chat time: those flagged past the campaign's chat time.
 * - completed: conversations an agent closed today (an assignment released as `closed`).
 * - abandoned: conversations the customer left today while waiting (closed `abandoned` or `opted_out`
 *   without an agent ever closing them) after waiting at least the churn threshold; shorter waits are
 *   short abandons and count nowhere.
 * - answered: conversations whose first agent reply came today; ASA = their average wait, from
 *   entering the queue to that reply.
 * - service level = answered within the service-level threshold / (answered + abandoned), in %.
 * - AHT = average, over today's completed, of first assignment to close.
 */
export async function campaignMonitors(
  db: Executor,
  campaignIds: readonly number[],
  options: { now?: Date; defaultTimeZone?: string } = {},
): Promise<CampaignMonitor[]> {
  if (campaignIds.length === 0) return [];
  const now = options.now ?? new Date();
  const rows = (await db.execute(sql`
    with k as (
      select c.id, c.name, c.enabled, c.strategy, c.service_level_seconds, c.churn_seconds,
             coalesce(s.time_zone, ${options.defaultTimeZone ?? 'UTC'}) as tz
        from campaigns c left join schedules s on s.id = c.schedule_id
       where c.id in ${campaignIds}
    ), d as (
      select k.*, (date_trunc('day', ${now.toISOString()}::timestamptz at time zone k.tz) at time zone k.tz) as day_start from k
    )
    select d.id, d.name, d.enabled, d.strategy, d.tz, q.waiting, q.oldest, act.active, act.over_chat_time,
           done.completed, done.aht, ab.abandoned, ans.answered, ans.answered_in_sl, ans.asa
      from d
      cross join lateral (
        select count(*)::int as waiting, min(x.queued_at) as oldest from conversations x
         where x.campaign_id = d.id and x.status = 'queued'
      ) q
      cross join lateral (
        select count(*)::int as active, (count(*) filter (where x.chat_time_exceeded_at is not null))::int as over_chat_time
          from conversations x where x.campaign_id = d.id and x.status = 'assigned'
      ) act
      cross join lateral (
        select count(*)::int as completed,
               avg(extract(epoch from a.released_at - (select min(b.assigned_at) from conversation_assignments b where b.conversation_id = a.conversation_id)))::float8 as aht
          from conversation_assignments a
         where a.campaign_id = d.id and a.release_reason = 'closed' and a.released_at >= d.day_start and a.released_at <= ${now.toISOString()}::timestamptz
      ) done
      cross join lateral (
        select count(*)::int as abandoned from conversations x
         where x.campaign_id = d.id and x.status = 'closed' and x.close_reason in ('abandoned', 'opted_out')
           and x.closed_at >= d.day_start and x.closed_at <= ${now.toISOString()}::timestamptz and x.queued_at is not null
           and x.closed_at - x.queued_at >= make_interval(secs => d.churn_seconds)
           and not exists (select 1 from conversation_assignments a where a.conversation_id = x.id and a.release_reason = 'closed')
      ) ab
      cross join lateral (
        select count(*)::int as answered,
               (count(*) filter (where x.first_agent_reply_at - x.queued_at <= make_interval(secs => d.service_level_seconds)))::int as answered_in_sl,
               avg(extract(epoch from x.first_agent_reply_at - x.queued_at))::float8 as asa
          from conversations x
         where x.campaign_id = d.id and x.first_agent_reply_at >= d.day_start and x.first_agent_reply_at <= ${now.toISOString()}::timestamptz and x.queued_at is not null
      ) ans
     order by d.name`)) as unknown as {
    id: number;
    name: string;
    enabled: boolean;
    strategy: CampaignStrategy;
    tz: string;
    waiting: number;
    oldest: Date | string | null;
    active: number;
    over_chat_time: number;
    completed: number;
    aht: number | null;
    abandoned: number;
    answered: number;
    answered_in_sl: number;
    asa: number | null;
  }[];
  const onHold = await holdList(db, campaignIds);
  return rows.map((row) => {
    const oldest = row.oldest === null ? null : new Date(row.oldest);
    const finished = row.answered + row.abandoned;
    return {
      campaignId: row.id,
      name: row.name,
      enabled: row.enabled,
      strategy: row.strategy,
      timeZone: row.tz,
      waiting: row.waiting,
      oldestQueuedAt: oldest?.toISOString() ?? null,
      longestWaitSeconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.getTime()) / 1000)) : 0,
      active: row.active,
      completedToday: row.completed,
      abandonedToday: row.abandoned,
      serviceLevelPercent: finished === 0 ? null : round1((100 * row.answered_in_sl) / finished),
      asaSeconds: row.asa === null ? null : round1(row.asa),
      ahtSeconds: row.aht === null ? null : round1(row.aht),
      overChatTime: row.over_chat_time,
      onHold: onHold.get(row.id) ?? [],
      computedAt: now.toISOString(),
    };
  });
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** The customers on hold per campaign (the seed's lower right chart), longest waiting first. */
async function holdList(db: Executor, campaignIds: readonly number[]) {
  const rows = (await db.execute(sql`
    select c.id, c.campaign_id, a.address, p.name, c.queued_at, c.priority
      from conversations c
      join contact_addresses a on a.id = c.contact_address_id
      join contacts p on p.id = c.contact_id
     where c.campaign_id in ${campaignIds} and c.status = 'queued'
     order by c.priority desc nulls last, c.queued_at, c.id`)) as unknown as {
    id: number;
    campaign_id: number;
    address: string;
    name: string | null;
    queued_at: Date | string;
    priority: number;
  }[];
  const byCampaign = new Map<number, CampaignMonitor['onHold']>();
  for (const row of rows) {
    const list = byCampaign.get(row.campaign_id) ?? [];
    if (list.length < 200)
      list.push({
        conversationId: Number(row.id),
        address: row.address,
        name: row.name,
        queuedAt: new Date(row.queued_at).toISOString(),
        priority: row.priority,
      });
    byCampaign.set(row.campaign_id, list);
  }
  return byCampaign;
}

/**
 * The agents of the given campaigns as the seed's lower left chart shows them: state and time in it,
 * channels in use, active and completed today (in `timeZone`). "Busy" is available with no room left
 * in any of the agent's campaigns; on a break, "busy on break" while still holding chats.
 */
export async function agentMonitors(db: Executor, campaignIds: readonly number[], options: { now?: Date; timeZone?: string } = {}): Promise<AgentMonitor[]> {
  if (campaignIds.length === 0) return [];
  const now = options.now ?? new Date();
  const timeZone = options.timeZone ?? 'UTC';
  const rows = (await db.execute(sql`
    with members as (select distinct user_id from campaign_members where campaign_id in ${campaignIds})
    select u.id, u.display_name, coalesce(p.state, 'offline') as state, p.break_name, coalesce(p.since, u.created_at) as since,
           act.active, act.channels, done.completed, room.max_interactions, mine.campaign_ids
      from members m
      join users u on u.id = m.user_id
      left join agent_presence p on p.user_id = u.id
      cross join lateral (
        select count(*)::int as active, coalesce(array_agg(distinct ch.type) filter (where ch.type is not null), '{}') as channels
          from conversations x join channels ch on ch.id = x.channel_id
         where x.assigned_user_id = u.id and x.status = 'assigned'
      ) act
      cross join lateral (
        select count(*)::int as completed from conversation_assignments a
         where a.user_id = u.id and a.release_reason = 'closed'
           and a.released_at >= (date_trunc('day', ${now.toISOString()}::timestamptz at time zone ${timeZone}) at time zone ${timeZone})
      ) done
      cross join lateral (
        select array_agg(cm.campaign_id order by cm.campaign_id) as campaign_ids from campaign_members cm where cm.user_id = u.id
      ) mine
      cross join lateral (
        select max(k.max_interactions_per_agent)::int as max_interactions
          from campaign_members cm join campaigns k on k.id = cm.campaign_id where cm.user_id = u.id
      ) room
     order by u.display_name, u.id`)) as unknown as {
    id: number;
    display_name: string;
    state: PresenceState;
    break_name: string | null;
    since: Date | string;
    active: number;
    channels: string[];
    completed: number;
    max_interactions: number | null;
    campaign_ids: number[];
  }[];
  return rows.map((row) => ({
    userId: row.id,
    displayName: row.display_name,
    state: row.state,
    breakName: row.break_name,
    status:
      row.state === 'offline'
        ? 'offline'
        : row.state === 'break'
          ? row.active > 0
            ? 'busy_on_break'
            : 'free_on_break'
          : row.active >= (row.max_interactions ?? Infinity)
            ? 'busy'
            : 'free',
    since: new Date(row.since).toISOString(),
    channels: row.channels,
    active: row.active,
    completedToday: row.completed,
    campaignIds: row.campaign_ids,
  }));
}
