import { and, eq, isNull } from 'drizzle-orm';
import { sessions } from '../db/schema/index.ts';
import type { Actor } from '../kernel/actor.ts';
import type { Executor } from '../db/connection.ts';
import { goOffline, setPresence, type PresenceChange } from './agent-presence.ts';
import { audit } from '../kernel/audit.ts';
import type { CommandContext } from '../kernel/command.ts';

/** A supervisor pauses an agent (a named break) or puts them back to available; logged and audited. */
export async function setAgentPresence({ uow, actor: supervisor }: CommandContext, { userId, change }: { userId: number; change: PresenceChange }) {
  const presence = await setPresence(uow, {
    userId,
    change,
    changedByUserId: supervisor.userId,
    reason: change.state === 'break' ? 'paused by a supervisor' : 'resumed by a supervisor',
  });
  await audit(uow.tx, {
    by: { userId: supervisor.userId },
    action: change.state === 'break' ? 'agent.paused' : 'agent.resumed',
    target: { type: 'user', id: userId },
    details: { ...change },
  });
  return presence;
}

/**
 * A supervisor logs an agent out: every session of theirs ends (they must log in again), they go
 * offline and their chats go back to the queue ahead of newer customers. The caller disconnects the
 * agent's sockets after commit.
 */
export async function logOutAgent({ uow, actor: supervisor }: CommandContext, { userId }: { userId: number }): Promise<number> {
  const ended = await uow.tx
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ tokenHash: sessions.tokenHash });
  await goOffline(uow, userId, supervisor.userId, 'logged out by a supervisor');
  await audit(uow.tx, {
    by: { userId: supervisor.userId },
    action: 'agent.logged_out',
    target: { type: 'user', id: userId },
    details: { sessionsEnded: ended.length },
  });
  return ended.length;
}

/** A supervisor opened a read-only live view of a conversation. */
export async function recordSpy(db: Executor, supervisor: Pick<Actor, 'userId'>, conversationId: number): Promise<void> {
  await audit(db, { by: { userId: supervisor.userId }, action: 'conversation.spied', target: { type: 'conversation', id: conversationId } });
}
