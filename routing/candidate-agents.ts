import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/connection.ts';
import { conversations, type CampaignStrategy, type campaigns } from '../db/schema/index.ts';

type Campaign = typeof campaigns.$inferSelect;

export type Candidate = { userId: number; position: number; active: number };

/**
 * A campaign's queue order: higher priority first, then the longest waiting. Spelled `desc nulls last`
 * as `conversations_queue_idx` is built, so the head is read from the index, not sorted.
 */
export const QUEUE_ORDER = sql`${conversations.priority} desc nulls last, ${conversations.queuedAt} asc, ${conversations.id} asc`;

/** When an agent counts as idle since: their last assignment, or when they last became available. */
const IDLE_SINCE = sql`greatest(p.last_assigned_at, p.since)`;

/**
 * The order each strategy prefers its candidates in. Round robin remembers the member position that
 * received the last conversation and starts after it; longest idle prefers the agent idle the
 * longest; fewest active the least loaded (then the longest idle); linear always the first member
 * in member order with room; random any. Ties fall to member order, then user id, so every order is total.
 */
function strategyOrder(strategy: CampaignStrategy, lastPosition: number | null): SQL {
  switch (strategy) {
    case 'round_robin':
      return sql`(m.position <= ${lastPosition ?? -1}), m.position, m.user_id`;
    case 'longest_idle':
      return sql`${IDLE_SINCE} nulls first, m.position, m.user_id`;
    case 'random':
      return sql`random()`;
    case 'linear':
      return sql`m.position, m.user_id`;
    case 'fewest_active':
    case 'offer_all':
      return sql`a.active, ${IDLE_SINCE} nulls first, m.position, m.user_id`;
  }
}

/**
 * The members who may receive a conversation of the campaign now (available, enabled, under the
 * campaign's max interactions), best first. `prefer` goes first (sticky agent) and `avoid` last (the
 * agent who let this conversation go). Read without locks: the caller locks the chosen agent's
 * presence row and counts again before assigning.
 */
export async function candidateAgents(
  tx: Tx,
  campaign: Campaign,
  options: { prefer?: number | null; avoid?: number | null; limit?: number } = {},
): Promise<Candidate[]> {
  const rows = (await tx.execute(sql`
    select m.user_id, m.position, a.active
      from campaign_members m
      join agent_presence p on p.user_id = m.user_id and p.state = 'available'
      join users u on u.id = m.user_id and u.enabled
      cross join lateral (
        select count(*)::int as active from conversations c
         where c.assigned_user_id = m.user_id and c.status = 'assigned'
      ) a
     where m.campaign_id = ${campaign.id} and a.active < ${campaign.maxInteractionsPerAgent}
     order by (m.user_id = ${options.prefer ?? -1}) desc, (m.user_id = ${options.avoid ?? -1}),
              ${strategyOrder(campaign.strategy, campaign.lastAssignedPosition)}
     limit ${options.limit ?? 1000}`)) as unknown as { user_id: number; position: number; active: number }[];
  return rows.map((row) => ({ userId: row.user_id, position: row.position, active: row.active }));
}

/** The agent who last served this customer in this campaign (sticky agent), if any. */
export async function lastAgentOf(tx: Tx, input: { contactId: number; campaignId: number; exceptConversationId: number }): Promise<number | null> {
  const [row] = (await tx.execute(sql`
    select a.user_id from conversations c
      join conversation_assignments a on a.conversation_id = c.id
     where c.contact_id = ${input.contactId} and c.id <> ${input.exceptConversationId} and a.campaign_id = ${input.campaignId}
     order by a.id desc limit 1`)) as unknown as { user_id: number }[];
  return row?.user_id ?? null;
}
