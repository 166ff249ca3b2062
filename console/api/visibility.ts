import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/connection.ts';
import { httpErrors } from '../../server/http-errors.ts';
import type { Actor } from './sessions.ts';

/**
 * The conversations an actor may see, as a condition on alias `c`: agents their own (current or last
 * assignee); supervisors those of campaigns in their security groups (or with no group, or not
 * routed yet); admins all.
 */
export function visibleConversations(actor: Actor): SQL {
  if (actor.role === 'admin') return sql`true`;
  if (actor.role === 'agent') return sql`c.assigned_user_id = ${actor.userId}`;
  const groups = actor.securityGroupIds.length > 0 ? actor.securityGroupIds : [-1];
  return sql`(c.campaign_id is null or exists (
    select 1 from campaigns vk where vk.id = c.campaign_id
       and (vk.security_group_id is null or vk.security_group_id in ${groups})))`;
}

/**
 * The campaigns an actor may see, as a condition on alias `k`: admins all; supervisors those with no
 * security group or one of theirs; agents those they are members of.
 */
export function visibleCampaigns(actor: Actor): SQL {
  if (actor.role === 'admin') return sql`true`;
  if (actor.role === 'agent') return sql`exists (select 1 from campaign_members vm where vm.campaign_id = k.id and vm.user_id = ${actor.userId})`;
  const groups = actor.securityGroupIds.length > 0 ? actor.securityGroupIds : [-1];
  return sql`(k.security_group_id is null or k.security_group_id in ${groups})`;
}

/** The ids of the campaigns an actor may see (a supervisor's monitor and live rooms). */
export async function visibleCampaignIds(db: Executor, actor: Actor): Promise<number[]> {
  const rows = (await db.execute(sql`select k.id from campaigns k where ${visibleCampaigns(actor)} order by k.id`)) as unknown as { id: number }[];
  return rows.map((row) => row.id);
}

/**
 * The users a supervisor may see and act on, as a condition on alias `u`: those who share one of
 * their security groups or have none; admins see everyone.
 */
export function visibleUsers(actor: Actor): SQL {
  if (actor.role === 'admin') return sql`true`;
  const groups = actor.securityGroupIds.length > 0 ? actor.securityGroupIds : [-1];
  return sql`(not exists (select 1 from user_security_groups vg where vg.user_id = u.id)
              or exists (select 1 from user_security_groups vg where vg.user_id = u.id and vg.security_group_id in ${groups}))`;
}

/** Refuses (404, telling nothing) a conversation the actor may not see. */
export async function assertVisibleConversation(db: Executor, actor: Actor, id: number): Promise<void> {
  const [visible] = await db.execute(sql`select c.id from conversations c where c.id = ${id} and ${visibleConversations(actor)}`);
  if (!visible) throw httpErrors.notFound('Conversation');
}

/**
 * The dialers an actor may see and work (monitor, start/stop, uploads), as a condition on alias `d`:
 * admins all; supervisors those with no security group or one of theirs; agents none.
 */
export function visibleDialers(actor: Actor): SQL {
  if (actor.role === 'admin') return sql`true`;
  if (actor.role === 'agent') return sql`false`;
  const groups = actor.securityGroupIds.length > 0 ? actor.securityGroupIds : [-1];
  return sql`(d.security_group_id is null or d.security_group_id in ${groups})`;
}

/** Refuses (404, telling nothing) a dialer the actor may not see. */
export async function assertVisibleDialer(db: Executor, actor: Actor, id: number): Promise<void> {
  const [visible] = await db.execute(sql`select d.id from dialers d where d.id = ${id} and ${visibleDialers(actor)}`);
  if (!visible) throw httpErrors.notFound('Dialer');
}
