import { and, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { agentChatMessages, users } from '../db/schema/index.ts';
import type { Executor } from '../db/connection.ts';
import type { AgentChatMessage, AgentChatThread } from '../contract/routing.ts';
import { rooms } from '../kernel/realtime.ts';
import { audit } from '../kernel/audit.ts';
import type { CommandContext } from '../kernel/command.ts';

type Row = typeof agentChatMessages.$inferSelect;

async function present(db: Executor, rows: Row[]): Promise<AgentChatMessage[]> {
  if (rows.length === 0) return [];
  const names = new Map(
    (
      await db
        .select({ id: users.id, name: users.displayName })
        .from(users)
        .where(sql`${users.id} in ${[...new Set(rows.map((row) => row.fromUserId))]}`)
    ).map((row) => [row.id, row.name]),
  );
  return rows.map((row) => ({
    id: row.id,
    fromUserId: row.fromUserId,
    fromName: names.get(row.fromUserId) ?? '',
    toUserId: row.toUserId,
    conversationId: row.conversationId,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
  }));
}

/** Internal chat between a supervisor and an agent (never sent to a customer); both consoles get it live. */
export async function sendAgentChat({ uow, actor }: CommandContext, input: { toUserId: number; body: string; conversationId?: number | null }) {
  const fromUserId = actor.userId;
  const [row] = await uow.tx
    .insert(agentChatMessages)
    .values({ fromUserId, toUserId: input.toUserId, body: input.body, conversationId: input.conversationId ?? null })
    .returning();
  await audit(uow.tx, {
    by: { userId: fromUserId },
    action: 'agent_chat.sent',
    target: { type: 'user', id: input.toUserId },
    details: { messageId: row!.id, conversationId: input.conversationId ?? null },
  });
  const [message] = await present(uow.tx, [row!]);
  uow.emit({ rooms: [rooms.user(fromUserId), rooms.user(input.toUserId)], event: 'agent-chat.message', payload: message! });
  return message!;
}

/** The reader's chat threads, most recent first: who, the last message, and how many are unread. */
export async function agentChatThreads(db: Executor, readerId: number): Promise<AgentChatThread[]> {
  const rows = (await db.execute(sql`
    with mine as (
      select case when m.from_user_id = ${readerId} then m.to_user_id else m.from_user_id end as other_id, m.*
        from agent_chat_messages m
       where m.from_user_id = ${readerId} or m.to_user_id = ${readerId}
    )
    select distinct on (mine.other_id) mine.other_id, u.display_name, u.role, mine.body, mine.created_at,
           (select count(*)::int from agent_chat_messages x where x.from_user_id = mine.other_id and x.to_user_id = ${readerId} and x.read_at is null) as unread
      from mine join users u on u.id = mine.other_id
     order by mine.other_id, mine.id desc`)) as unknown as {
    other_id: number;
    display_name: string;
    role: string;
    body: string;
    created_at: Date | string;
    unread: number;
  }[];
  return rows
    .map((row) => ({
      userId: row.other_id,
      displayName: row.display_name,
      role: row.role as AgentChatThread['role'],
      lastMessage: row.body,
      lastAt: new Date(row.created_at).toISOString(),
      unread: row.unread,
    }))
    .sort((a, b) => b.lastAt.localeCompare(a.lastAt));
}

/** The thread between two users, oldest first (the last 200); messages to the reader are marked read. */
export async function agentChatThread(db: Executor, readerId: number, otherId: number): Promise<AgentChatMessage[]> {
  const between = or(
    and(eq(agentChatMessages.fromUserId, readerId), eq(agentChatMessages.toUserId, otherId)),
    and(eq(agentChatMessages.fromUserId, otherId), eq(agentChatMessages.toUserId, readerId)),
  );
  await db
    .update(agentChatMessages)
    .set({ readAt: new Date() })
    .where(and(eq(agentChatMessages.fromUserId, otherId), eq(agentChatMessages.toUserId, readerId), isNull(agentChatMessages.readAt)));
  const rows = await db.select().from(agentChatMessages).where(between).orderBy(desc(agentChatMessages.id)).limit(200);
  return present(db, rows.reverse());
}
