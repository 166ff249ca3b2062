import { sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import { audience } from '../messages/message-events.ts';
import { presentConversations } from './presenters.ts';
import { rooms, type LiveEvent } from '../kernel/realtime.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';

/**
 * `conversation.upserted` for each conversation, to its audience; `previousAssignees` (agents the
 * conversation just left: handed back to the bot or the queue) are told too, so it leaves their inbox.
 */
export async function conversationEvents(
  db: Executor,
  conversationIds: readonly number[],
  previousAssignee: number | null | ReadonlyMap<number, number> = null,
): Promise<LiveEvent[]> {
  if (conversationIds.length === 0) return [];
  const presented = await presentConversations(db, sql`c.id in ${conversationIds}`);
  return presented.map(({ summary, campaignId, assignedUserId }) => {
    const previous = previousAssignee instanceof Map ? (previousAssignee.get(summary.id) ?? null) : (previousAssignee as number | null);
    return {
      rooms: [...audience(campaignId, assignedUserId), ...(previous !== null && previous !== assignedUserId ? [rooms.user(previous)] : [])],
      event: 'conversation.upserted',
      payload: summary,
    };
  });
}

type Pending = { ids: Set<number>; previous: Map<number, number>; flushed: boolean };
const pendingByUow = new WeakMap<UnitOfWork, Pending>();
let flushes = 0;

/**
 * Tells the console about these conversations once the transaction is done changing them: however
 * many times a transaction touches a conversation, it is presented once, in one query for all, just
 * before commit (and published after it, like every event).
 */
export function emitConversations(uow: UnitOfWork, conversationIds: readonly number[], previousAssignee: number | null = null): void {
  let pending = pendingByUow.get(uow);
  if (!pending || pending.flushed) {
    const created: Pending = { ids: new Set(), previous: new Map(), flushed: false };
    pending = created;
    pendingByUow.set(uow, created);
    // `~` sorts after every other key: the conversations are presented after the other deferred work
    // (and one touched by deferred work after that gets a flush of its own).
    uow.beforeCommit(`~conversation-events:${flushes++}`, async () => {
      created.flushed = true;
      uow.emit(...(await conversationEvents(uow.tx, [...created.ids], created.previous)));
    });
  }
  for (const id of conversationIds) {
    pending.ids.add(id);
    if (previousAssignee !== null) pending.previous.set(id, previousAssignee);
  }
}
