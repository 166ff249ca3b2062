import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/connection.ts';

export type OfferRow = { conversationId: number; userId: number };

/**
 * Deletes the offers matching `where` (a condition on `conversation_offers`), locking them first in
 * one global order (conversation, then user). Withdrawals by conversation (accepted, left the queue),
 * by agent (break, offline) and by campaign (no longer eligible) overlap; taking their row locks in
 * different orders deadlocked them (found by the multi-process stress test).
 */
export async function deleteOffers(tx: Tx, where: SQL): Promise<OfferRow[]> {
  const rows = (await tx.execute(sql`
    delete from conversation_offers o
     using (select conversation_id, user_id from conversation_offers where ${where}
             order by conversation_id, user_id for update) l
     where o.conversation_id = l.conversation_id and o.user_id = l.user_id
     returning o.conversation_id, o.user_id`)) as unknown as { conversation_id: number | string; user_id: number }[];
  return rows.map((row) => ({ conversationId: Number(row.conversation_id), userId: row.user_id }));
}
