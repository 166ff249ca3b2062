import { eq, sql } from 'drizzle-orm';
import { agentPresence, agentPresenceLog, campaignMembers, type PresenceState } from '../db/schema/index.ts';
import type { Tx } from '../db/connection.ts';
import { rooms } from '../kernel/realtime.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';
import { withdrawAgentOffers } from './offers.ts';
import { requestAssignment } from './queue-conversation.ts';
import { requeueAgentConversations } from './requeue-conversation.ts';
import { DomainError } from '../kernel/errors.ts';

export type PresenceChange = { state: PresenceState; breakName?: string | null };

const ALLOWED: Record<PresenceState, readonly PresenceState[]> = {
  offline: ['available', 'break'],
  available: ['break', 'offline'],
  break: ['available', 'offline', 'break'],
};

export class PresenceError extends DomainError {
  override name = 'PresenceError';
  constructor(message: string) {
    super('conflict', 'conflict', message);
  }
}

/** Agent presence state machine; "busy" is not a state but available at capacity. */
export function transitionPresence(current: PresenceState, change: PresenceChange): PresenceChange {
  if (change.state === 'break' && !change.breakName) throw new PresenceError('A break needs its name');
  if (change.state !== 'break' && change.breakName) throw new PresenceError('Only a break has a name');
  if (current === change.state && change.state !== 'break') throw new PresenceError(`Already ${current}`);
  if (!ALLOWED[current].includes(change.state)) throw new PresenceError(`Cannot go from ${current} to ${change.state}`);
  return { state: change.state, breakName: change.breakName ?? null };
}

/** The agent's presence row, locked (created offline on first use). */
export async function lockPresence(tx: Tx, userId: number) {
  await tx.insert(agentPresence).values({ userId }).onConflictDoNothing();
  const [row] = await tx.select().from(agentPresence).where(eq(agentPresence.userId, userId)).for('update');
  return row!;
}

/**
 * Changes an agent's presence, logs it with who changed it, tells the agent's console, and when the
 * agent becomes available asks routing to look at every campaign the agent serves. Going on break
 * or offline withdraws the agent's offers; going offline also requeues the agent's chats.
 */
export async function setPresence(
  uow: UnitOfWork,
  /** `changedByUserId` null: the platform did it (the console went away past the grace period). */
  input: { userId: number; change: PresenceChange; changedByUserId: number | null; reason?: string },
) {
  const current = await lockPresence(uow.tx, input.userId);
  const next = transitionPresence(current.state, input.change);
  // Stamped with the database clock while the presence row is locked, like assignments: the log and
  // the assignment history order the same way, so an audit can tell what state an agent was in.
  const [updated] = await uow.tx
    .update(agentPresence)
    .set({ state: next.state, breakName: next.breakName ?? null, since: sql`clock_timestamp()` })
    .where(eq(agentPresence.userId, input.userId))
    .returning();
  await uow.tx.insert(agentPresenceLog).values({
    userId: input.userId,
    state: next.state,
    breakName: next.breakName ?? null,
    changedByUserId: input.changedByUserId,
    reason: input.reason ?? null,
    at: updated!.since,
  });
  const campaignIds = await membershipsOf(uow, input.userId);
  if (next.state === 'available') for (const campaignId of campaignIds) await requestAssignment(uow, campaignId);
  else await withdrawAgentOffers(uow, input.userId);
  // Nobody is at the console to answer: the agent's chats go back to the queue, ahead of newer ones.
  // On a break they stay (the seed's "busy on break"): the agent is still there.
  if (next.state === 'offline') await requeueAgentConversations(uow, input.userId, input.changedByUserId);
  const presence = { state: updated!.state, breakName: updated!.breakName, since: updated!.since.toISOString() };
  uow.emit({ rooms: [rooms.user(input.userId)], event: 'presence.updated', payload: presence });
  // Supervisors of the agent's campaigns: their monitors recompute on it.
  uow.emit({ rooms: campaignIds.map(rooms.campaign), event: 'agent.presence', payload: { userId: input.userId, ...presence } });
  return presence;
}

/** Capacity of an agent changed: every campaign they are a member of may assign again. */
export async function requestAssignmentForAgent(uow: UnitOfWork, userId: number): Promise<void> {
  for (const campaignId of await membershipsOf(uow, userId)) await requestAssignment(uow, campaignId);
}

async function membershipsOf(uow: UnitOfWork, userId: number): Promise<number[]> {
  const memberships = await uow.tx
    .select({ campaignId: campaignMembers.campaignId })
    .from(campaignMembers)
    .where(eq(campaignMembers.userId, userId))
    .orderBy(campaignMembers.campaignId);
  return memberships.map((row) => row.campaignId);
}

/** Takes an agent offline unless already offline (logout, a supervisor's log-out), logging why. */
export async function goOffline(uow: UnitOfWork, userId: number, changedByUserId: number | null, reason: string) {
  const current = await lockPresence(uow.tx, userId);
  if (current.state === 'offline') return;
  await setPresence(uow, { userId, change: { state: 'offline' }, changedByUserId, reason });
}
