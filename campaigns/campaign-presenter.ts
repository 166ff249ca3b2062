import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import type { CampaignMember, CampaignView } from '../contract/campaigns.ts';

const iso = (value: Date | string): string => new Date(value).toISOString();

type CampaignRow = {
  id: number;
  name: string;
  did_ports: string[];
  strategy: CampaignView['strategy'];
  schedule_id: number | null;
  schedule_name: string | null;
  schedule_time_zone: string | null;
  greeting_message: string | null;
  out_of_time_message: string | null;
  queue_full_message: string | null;
  service_level_seconds: number;
  churn_seconds: number;
  chat_time_seconds: number;
  acd_max_waiting: number;
  acd_full_action: CampaignView['acdFullAction'];
  max_interactions_per_agent: number;
  agent_answer_timeout_seconds: number | null;
  sticky_agent: boolean;
  enabled: boolean;
  security_group_id: number | null;
  security_group_name: string | null;
  bot_flow_id: number | null;
  bot_flow_name: string | null;
  bot_flow_version: number | null;
  opt_out_keywords: string[];
  opt_in_keywords: string[];
  help_keywords: string[];
  opt_out_scope: CampaignView['optOutScope'];
  opt_out_message: string;
  opt_in_message: string;
  help_message: string;
  channels: CampaignView['channels'];
  canned_responses: CampaignView['cannedResponses'];
  member_count: number;
  created_at: Date | string;
  updated_at: Date | string;
};

/** Loads and presents the campaigns matching `where` (a condition on alias `k`), by name. */
export async function presentCampaigns(db: Executor, where: SQL): Promise<CampaignView[]> {
  const rows = (await db.execute(sql`
    select k.id, k.name, k.did_ports, k.strategy, k.schedule_id, s.name as schedule_name, s.time_zone as schedule_time_zone,
           k.greeting_message, k.out_of_time_message, k.queue_full_message,
           k.service_level_seconds, k.churn_seconds, k.chat_time_seconds, k.acd_max_waiting, k.acd_full_action,
           k.max_interactions_per_agent, k.agent_answer_timeout_seconds, k.sticky_agent, k.enabled,
           k.security_group_id, g.name as security_group_name, k.bot_flow_id, f.name as bot_flow_name, f.version as bot_flow_version,
           k.opt_out_keywords, k.opt_in_keywords, k.help_keywords, k.opt_out_scope, k.opt_out_message, k.opt_in_message, k.help_message,
           coalesce((select json_agg(json_build_object('id', ch.id, 'name', ch.name, 'type', ch.type) order by ch.id)
                       from campaign_channels cc join channels ch on ch.id = cc.channel_id
                      where cc.campaign_id = k.id), '[]'::json) as channels,
           coalesce((select json_agg(json_build_object('shortcut', r.shortcut, 'body', r.body) order by r.id)
                       from canned_responses r where r.campaign_id = k.id), '[]'::json) as canned_responses,
           (select count(*)::int from campaign_members m where m.campaign_id = k.id) as member_count,
           k.created_at, k.updated_at
      from campaigns k
      left join schedules s on s.id = k.schedule_id
      left join security_groups g on g.id = k.security_group_id
      left join bot_flows f on f.id = k.bot_flow_id
     where ${where}
     order by k.name`)) as unknown as CampaignRow[];
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    didPorts: row.did_ports,
    channelIds: row.channels.map((channel) => channel.id),
    channels: row.channels,
    strategy: row.strategy,
    scheduleId: row.schedule_id,
    schedule: row.schedule_id === null ? null : { id: row.schedule_id, name: row.schedule_name ?? '', timeZone: row.schedule_time_zone ?? 'UTC' },
    greetingMessage: row.greeting_message,
    outOfTimeMessage: row.out_of_time_message,
    queueFullMessage: row.queue_full_message,
    serviceLevelSeconds: row.service_level_seconds,
    churnSeconds: row.churn_seconds,
    chatTimeSeconds: row.chat_time_seconds,
    acdMaxWaiting: row.acd_max_waiting,
    acdFullAction: row.acd_full_action,
    maxInteractionsPerAgent: row.max_interactions_per_agent,
    agentAnswerTimeoutSeconds: row.agent_answer_timeout_seconds,
    stickyAgent: row.sticky_agent,
    enabled: row.enabled,
    securityGroupId: row.security_group_id,
    securityGroup: row.security_group_id === null ? null : { id: row.security_group_id, name: row.security_group_name ?? '' },
    botFlowId: row.bot_flow_id,
    botFlow: row.bot_flow_id === null ? null : { id: row.bot_flow_id, name: row.bot_flow_name ?? '', version: row.bot_flow_version ?? 1 },
    cannedResponses: row.canned_responses,
    optOutKeywords: row.opt_out_keywords,
    optInKeywords: row.opt_in_keywords,
    helpKeywords: row.help_keywords,
    optOutScope: row.opt_out_scope,
    optOutMessage: row.opt_out_message,
    optInMessage: row.opt_in_message,
    helpMessage: row.help_message,
    memberCount: row.member_count,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  }));
}

/** A campaign's members in member order, with their presence (offline when they never set one). */
export async function presentMembers(db: Executor, campaignId: number): Promise<CampaignMember[]> {
  const rows = (await db.execute(sql`
    select m.user_id, u.username, u.display_name, m.position,
           coalesce(p.state, 'offline') as state, p.break_name, coalesce(p.since, u.created_at) as since
      from campaign_members m
      join users u on u.id = m.user_id
      left join agent_presence p on p.user_id = m.user_id
     where m.campaign_id = ${campaignId}
     order by m.position, m.added_at, m.user_id`)) as unknown as {
    user_id: number;
    username: string;
    display_name: string;
    position: number;
    state: CampaignMember['presence']['state'];
    break_name: string | null;
    since: Date | string;
  }[];
  return rows.map((row) => ({
    userId: row.user_id,
    username: row.username,
    displayName: row.display_name,
    position: row.position,
    presence: { state: row.state, breakName: row.break_name, since: iso(row.since) },
  }));
}
