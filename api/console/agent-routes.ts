import { asc, inArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/connection.ts';
import { securityGroups } from '../../db/schema/index.ts';
import type { AppServices } from '../app-services.ts';
import type { AgentView } from '../../contract/campaigns.ts';
import { route, type RouteSpec, SUPERVISORS } from '../route-table.ts';
import { visibleUsers } from '../../kernel/visibility.ts';

/** Agents and supervisors (the users campaigns can have as members) matching `where` (alias `u`), by name. */
export async function presentAgents(db: Executor, where: SQL): Promise<AgentView[]> {
  const rows = (await db.execute(sql`
    select u.id, u.username, u.display_name, u.role, u.enabled,
           coalesce(p.state, 'offline') as state, p.break_name, coalesce(p.since, u.created_at) as since,
           coalesce((select array_agg(g.security_group_id order by g.security_group_id) from user_security_groups g where g.user_id = u.id), '{}') as group_ids,
           coalesce((select array_agg(m.campaign_id order by m.campaign_id) from campaign_members m where m.user_id = u.id), '{}') as campaign_ids
      from users u
      left join agent_presence p on p.user_id = u.id
     where u.role in ('agent', 'supervisor') and ${where}
     order by u.display_name, u.id`)) as unknown as {
    id: number;
    username: string;
    display_name: string;
    role: AgentView['role'];
    enabled: boolean;
    state: AgentView['presence']['state'];
    break_name: string | null;
    since: Date | string;
    group_ids: number[];
    campaign_ids: number[];
  }[];
  return rows.map((row) => ({
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    enabled: row.enabled,
    securityGroupIds: row.group_ids.map(Number),
    campaignIds: row.campaign_ids.map(Number),
    presence: { state: row.state, breakName: row.break_name, since: new Date(row.since).toISOString() },
  }));
}

export function agentRoutes(services: AppServices): RouteSpec[] {
  const { db } = services;
  return [
    route({
      method: 'get',
      path: '/api/agents',
      access: { roles: SUPERVISORS },
      async handler(_request, response, actor) {
        response.json({ agents: await presentAgents(db, visibleUsers(actor)) });
      },
    }),
    route({
      method: 'get',
      path: '/api/security-groups',
      access: { roles: SUPERVISORS },
      async handler(_request, response, actor) {
        const own = actor.role === 'admin' ? undefined : inArray(securityGroups.id, actor.securityGroupIds.length ? actor.securityGroupIds : [-1]);
        const rows = await db.select({ id: securityGroups.id, name: securityGroups.name }).from(securityGroups).where(own).orderBy(asc(securityGroups.name));
        response.json({ securityGroups: rows });
      },
    }),
  ];
}
