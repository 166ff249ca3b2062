import { and, count, eq } from 'drizzle-orm';
import type { Executor, Tx } from '../db/connection.ts';
import { agentPresence, conversations, type PresenceState } from '../db/schema/index.ts';
import { lockPresence } from './agent-presence.ts';

/** How many conversations an agent holds now. */
export async function activeConversations(db: Executor, userId: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(conversations)
    .where(and(eq(conversations.assignedUserId, userId), eq(conversations.status, 'assigned')));
  return row?.n ?? 0;
}

/**
 * The check every way of giving an agent a conversation makes (routing, an accepted offer, a take, a
 * transfer): lock the agent's presence row, then count what they hold. Every assignment and every
 * presence change takes this lock first, so the count is exact until commit: two workers can never
 * both fill an agent's last free slot, and an agent going on break cannot receive a conversation in
 * the same instant. With `skipLocked`, an agent someone else is assigning right now is passed over
 * (null) instead of waited for, so routing moves on to the next candidate.
 */
export async function lockAgentLoad(tx: Tx, userId: number, options: { skipLocked?: boolean } = {}): Promise<{ state: PresenceState; active: number } | null> {
  const presence = options.skipLocked
    ? (await tx.select().from(agentPresence).where(eq(agentPresence.userId, userId)).for('update', { skipLocked: true }))[0]
    : await lockPresence(tx, userId);
  if (!presence) return null;
  return { state: presence.state, active: await activeConversations(tx, userId) };
}
