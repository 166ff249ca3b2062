import { eq } from 'drizzle-orm';
import { agentPresence, agentPresenceLog, campaignMembers, type PresenceState } from '../db/schema/index.ts';
import type { Tx } from '../db/connection.ts';
import { rooms } from '../server/realtime.ts';
import type { UnitOfWork } from '../server/unit-of-work.ts';
import { requestAssignment } from './queue-conversation.ts';

export type PresenceChange = { state: PresenceState; breakName?: string | null };

const ALLOWED: Record<PresenceState, readonly PresenceState[]> = {
  offline: ['available', 'break'],
  available: ['break', 'offline'],
  break: ['available', 'offline', 'break'],
};

export class PresenceError extends Error {
  override name = 'PresenceError';
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
 * agent becomes available asks routing to look at every campaign the agent serves.
 */
export async function setPresence(
  uow: UnitOfWork,
  input: { userId: number; change: PresenceChange; changedByUserId: number; reason?: string },
) {
  const current = await lockPresence(uow.tx, input.userId);
  const next = transitionPresence(current.state, input.change);
  const now = new Date();
  const [updated] = await uow.tx
    .update(agentPresence)
    .set({ state: next.state, breakName: next.breakName ?? null, since: now })
    .where(eq(agentPresence.userId, input.userId))
    .returning();
  await uow.tx.insert(agentPresenceLog).values({
    userId: input.userId,
    state: next.state,
    breakName: next.breakName ?? null,
    changedByUserId: input.changedByUserId,
    reason: input.reason ?? null,
    at: now,
  });
  if (next.state === 'available') await requestAssignmentForAgent(uow, input.userId);
  const presence = { state: updated!.state, breakName: updated!.breakName, since: updated!.since.toISOString() };
  uow.emit({ rooms: [rooms.user(input.userId)], event: 'presence.updated', payload: presence });
  return presence;
}

/** Capacity of an agent changed: every campaign they are a member of may assign again. */
export async function requestAssignmentForAgent(uow: UnitOfWork, userId: number): Promise<void> {
  const memberships = await uow.tx
    .select({ campaignId: campaignMembers.campaignId })
    .from(campaignMembers)
    .where(eq(campaignMembers.userId, userId))
    // Always in campaign order: two transactions enqueueing the same stately keys in opposite
    // orders would wait on each other's unique index entries and deadlock.
    .orderBy(campaignMembers.campaignId);
  for (const { campaignId } of memberships) await requestAssignment(uow, campaignId);
}

/** Takes an agent offline unless already offline (logout, a supervisor's log-out), logging why. */
export async function goOffline(uow: UnitOfWork, userId: number, changedByUserId: number, reason: string) {
  const current = await lockPresence(uow.tx, userId);
  if (current.state === 'offline') return;
  await setPresence(uow, { userId, change: { state: 'offline' }, changedByUserId, reason });
}
