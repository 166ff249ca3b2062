import { sql, type SQL } from 'drizzle-orm';
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
