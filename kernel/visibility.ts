import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import type { Actor } from './actor.ts';

/*
 * What each actor may see and name, as SQL conditions: the one place the security-group rule lives.
 * Admins see everything. A supervisor sees the campaigns, dialers and users of their security groups
 * and those with no group (shared). An agent sees their own conversations and member campaigns.
 *
 * Channels, schedules and bot flows have no group of their own: admins create them as a library, and
 * each belongs to the groups of the campaigns and dialers that use it. A supervisor sees one that
 * nothing of another group uses; unused ones, and those only shared campaigns use, are shared (an
 * unused channel's customers are unrouted, which every supervisor already sees). The reason is the
 * channel: attaching one decides where its customers land, so a channel that feeds another group's
 * campaign, or carries the replies to another group's dialer, must stay out of reach. Schedules follow
 * the same rule (a group's holiday hours are its own), and flows too, judged by name since publishing
 * a version moves every campaign on that name, and a flow's HTTP nodes call that group's systems.
 */

const groupsOf = (actor: Actor) => (actor.securityGroupIds.length > 0 ? actor.securityGroupIds : [-1]);

/** A security-group column the actor reaches: none (shared) or one of their groups. */
const inGroups = (actor: Actor, column: SQL) => sql`(${column} is null or ${column} in ${groupsOf(actor)})`;

/**
 * The conversations an actor may see, as a condition on alias `c`: agents their own (current or last
 * assignee); supervisors those of campaigns in their security groups (or with no group, or not
 * routed yet); admins all.
 */
export function visibleConversations(actor: Actor): SQL {
  if (actor.role === 'admin') return sql`true`;
  if (actor.role === 'agent') return sql`c.assigned_user_id = ${actor.userId}`;
  return sql`(c.campaign_id is null or exists (
    select 1 from campaigns vk where vk.id = c.campaign_id and ${inGroups(actor, sql`vk.security_group_id`)}))`;
}

/**
 * The campaigns an actor may see, as a condition on alias `k`: admins all; supervisors those with no
 * security group or one of theirs; agents those they are members of.
 */
export function visibleCampaigns(actor: Actor): SQL {
  if (actor.role === 'admin') return sql`true`;
  if (actor.role === 'agent') return sql`exists (select 1 from campaign_members vm where vm.campaign_id = k.id and vm.user_id = ${actor.userId})`;
  return inGroups(actor, sql`k.security_group_id`);
}

/**
 * The campaigns an actor may hand a customer to, as a condition on alias `k`: those they see, except
 * that an agent may send one to any campaign of their security groups or with none (Sales to
 * Billing) without being its member, never to another group's.
 */
export function transferableCampaigns(actor: Actor): SQL {
  return actor.role === 'agent' ? inGroups(actor, sql`k.security_group_id`) : visibleCampaigns(actor);
}

/** The ids of the campaigns an actor may see (a supervisor's monitor and live rooms). */
export async function visibleCampaignIds(db: Executor, actor: Actor): Promise<number[]> {
  const rows = (await db.execute(sql`select k.id from campaigns k where ${visibleCampaigns(actor)} order by k.id`)) as unknown as { id: number }[];
  return rows.map((row) => row.id);
}

/**
 * The users an actor may see and act on (members, monitor actions, internal chat), as a condition on
 * alias `u`: admins everyone; supervisors those who share one of their security groups or have none;
 * agents the people who may manage them, so the chat is symmetric: admins, and the supervisors whose
 * sight includes them (who share a group with them, or every supervisor when the agent has none).
 */
export function visibleUsers(actor: Actor): SQL {
  if (actor.role === 'admin') return sql`true`;
  const sharesGroup = sql`exists (select 1 from user_security_groups vg where vg.user_id = u.id and vg.security_group_id in ${groupsOf(actor)})`;
  if (actor.role === 'agent') {
    return sql`(u.role = 'admin' or (u.role = 'supervisor' and ${actor.securityGroupIds.length > 0 ? sharesGroup : sql`true`}))`;
  }
  return sql`(not exists (select 1 from user_security_groups vg where vg.user_id = u.id) or ${sharesGroup})`;
}

/**
 * The dialers an actor may see and work (monitor, start/stop, uploads), as a condition on alias `d`:
 * admins all; supervisors those with no security group or one of theirs; agents none.
 */
export function visibleDialers(actor: Actor): SQL {
  if (actor.role === 'admin') return sql`true`;
  if (actor.role === 'agent') return sql`false`;
  return inGroups(actor, sql`d.security_group_id`);
}

/** Nothing of another group (a campaign of `campaignsUsing`, a dialer of `dialersUsing`) uses the object: see the top of this file. */
function unusedByOthers(actor: Actor, uses: { campaigns?: SQL; dialers?: SQL }): SQL {
  if (actor.role === 'admin') return sql`true`;
  if (actor.role === 'agent') return sql`false`;
  const others = [
    uses.campaigns && sql`not exists (select 1 from campaigns vk where ${uses.campaigns} and not ${inGroups(actor, sql`vk.security_group_id`)})`,
    uses.dialers && sql`not exists (select 1 from dialers vd where ${uses.dialers} and not ${inGroups(actor, sql`vd.security_group_id`)})`,
  ].filter((condition) => condition !== undefined);
  return sql`(${sql.join(others, sql` and `)})`;
}

/** The channels an actor may see and attach, as a condition on alias `ch`: no other group's campaign or dialer uses it. */
export function visibleChannels(actor: Actor): SQL {
  return unusedByOthers(actor, {
    campaigns: sql`exists (select 1 from campaign_channels vc where vc.campaign_id = vk.id and vc.channel_id = ch.id)`,
    dialers: sql`vd.channel_id = ch.id`,
  });
}

/** The schedules an actor may see and attach, as a condition on alias `s`: no other group's campaign or dialer uses it. */
export function visibleSchedules(actor: Actor): SQL {
  return unusedByOthers(actor, { campaigns: sql`vk.schedule_id = s.id`, dialers: sql`vd.schedule_id = s.id` });
}

/** The bot flow versions an actor may see and attach, as a condition on alias `f`: no other group's campaign uses a version of its name. */
export function visibleBotFlows(actor: Actor): SQL {
  return unusedByOthers(actor, { campaigns: sql`exists (select 1 from bot_flows vf where vf.id = vk.bot_flow_id and vf.name = f.name)` });
}

/**
 * Who may work which DNCR rows, as a condition on alias `d`: admins all; supervisors the global list
 * and the lists of campaigns they can see. The global list is open to both roles on purpose: the
 * seed's dialers monitor lets its users upload numbers without a campaign, and adding a number only
 * ever sends less; every change is audited.
 */
export function visibleDncr(actor: Actor): SQL {
  if (actor.role === 'admin') return sql`true`;
  return sql`(d.campaign_id is null or exists (select 1 from campaigns k where k.id = d.campaign_id and ${visibleCampaigns(actor)}))`;
}
