import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/connection.ts';

/** The routing guarantees, each checked over the whole assignment history. */
export const AUDIT_CHECKS = ['overlapping', 'overCapacity', 'notAvailable', 'notMember', 'stateMismatch'] as const;
export type AuditCheck = (typeof AUDIT_CHECKS)[number];

export type RoutingAudit = {
  /** How many violations of each check. */
  violations: Record<AuditCheck, number>;
  /** Up to five violating rows of each check, to show as evidence when one is not zero. */
  examples: Record<AuditCheck, Record<string, unknown>[]>;
};

/**
 * One query per check, each selecting the violating rows. Times are the database clock stamps of
 * `conversation_assignments` and `agent_presence_log`, so they order like the row locks did.
 */
const QUERIES: Record<AuditCheck, SQL> = {
  // 1. No two assignments of one conversation overlap in time: one holder at a time.
  overlapping: sql`
    select a.conversation_id, a.id as first_id, a.user_id as first_user, a.assigned_at as first_at, a.released_at as first_released,
           b.id as second_id, b.user_id as second_user, b.assigned_at as second_at, b.released_at as second_released
      from conversation_assignments a
      join conversation_assignments b on b.conversation_id = a.conversation_id and b.id > a.id
     where a.assigned_at < coalesce(b.released_at, 'infinity') and b.assigned_at < coalesce(a.released_at, 'infinity')`,
  // 2. At the instant of each assignment, the agent held at most the campaign's limit: count the
  //    agent's intervals [assigned_at, released_at) containing that instant, itself included. The
  //    limit is the one recorded with the assignment or the campaign's, whichever is lower, so a
  //    wrong record cannot hide a violation (campaign limits do not change while a test runs).
  overCapacity: sql`
    select a.id, a.conversation_id, a.user_id, a.campaign_id, a.via, a.assigned_at, a.active_before, a.max_interactions, held.n as held
      from conversation_assignments a
      join campaigns k on k.id = a.campaign_id
      cross join lateral (
        select count(*)::int as n from conversation_assignments b
         where b.user_id = a.user_id and b.assigned_at <= a.assigned_at and (b.released_at is null or b.released_at > a.assigned_at)
      ) held
     where held.n > least(a.max_interactions, k.max_interactions_per_agent)`,
  // 3. Routing, offers and transfers give conversations only to agents who are available at that
  //    instant; with no log entry yet, an agent is in the state the test seeded (available).
  notAvailable: sql`
    select a.id, a.conversation_id, a.user_id, a.via, a.assigned_at, l.state, l.at as state_since
      from conversation_assignments a
      cross join lateral (
        select p.state, p.at from agent_presence_log p
         where p.user_id = a.user_id and p.at <= a.assigned_at
         order by p.at desc, p.id desc limit 1
      ) l
     where a.via in ('routing', 'sticky', 'offer', 'transfer') and l.state <> 'available'`,
  // 4. Routing and offers reach only the members of the campaign.
  notMember: sql`
    select a.id, a.conversation_id, a.user_id, a.campaign_id, a.via, a.assigned_at
      from conversation_assignments a
     where a.via in ('routing', 'sticky', 'offer')
       and not exists (select 1 from campaign_members m where m.campaign_id = a.campaign_id and m.user_id = a.user_id)`,
  // 5. The conversations and the history agree: an assigned conversation has exactly one open
  //    assignment, of its agent; an open assignment belongs to a conversation assigned to that agent.
  stateMismatch: sql`
    select 'assigned conversation' as kind, c.id as conversation_id, c.status, c.assigned_user_id, open.n as open_of_agent
      from conversations c
      cross join lateral (
        select count(*)::int as n from conversation_assignments a
         where a.conversation_id = c.id and a.released_at is null and a.user_id = c.assigned_user_id
      ) open
     where c.status = 'assigned' and open.n <> 1
    union all
    select 'open assignment', c.id, c.status, c.assigned_user_id, a.user_id
      from conversation_assignments a
      join conversations c on c.id = a.conversation_id
     where a.released_at is null and (c.status <> 'assigned' or c.assigned_user_id is distinct from a.user_id)`,
};

/** Audits every assignment ever made: the same queries serve the stress test and the test that proves they can fail. */
export async function auditRouting(db: Executor): Promise<RoutingAudit> {
  const violations = {} as Record<AuditCheck, number>;
  const examples = {} as Record<AuditCheck, Record<string, unknown>[]>;
  for (const check of AUDIT_CHECKS) {
    const [counted] = (await db.execute(sql`select count(*)::int as n from (${QUERIES[check]}) violating`)) as unknown as [{ n: number }];
    violations[check] = counted.n;
    examples[check] = counted.n ? ((await db.execute(sql`select * from (${QUERIES[check]}) violating limit 5`)) as unknown as Record<string, unknown>[]) : [];
  }
  return { violations, examples };
}

/** How much the stress test has done so far; its workers run until it is enough (see routing-stress.test.ts). */
export type RoutingWork = { assignments: number; closes: number; presenceChanges: number };

/** Assignments ever made, conversations closed, and presence changes (the seeded starting states not counted). */
export async function countRoutingWork(db: Executor): Promise<RoutingWork> {
  const [work] = (await db.execute(sql`
    select (select count(*)::int from conversation_assignments) as assignments,
           (select count(*)::int from conversations where status = 'closed') as closes,
           (select count(*)::int from agent_presence_log where reason is distinct from 'seeded') as presence_changes`)) as unknown as [
    { assignments: number; closes: number; presence_changes: number },
  ];
  return { assignments: work.assignments, closes: work.closes, presenceChanges: work.presence_changes };
}
