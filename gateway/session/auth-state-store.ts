import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/connection.ts';
import { channelAuthState } from '../../db/schema/index.ts';
import type { AuthStateStore } from '../channel.ts';

/**
 * A session channel's credentials in PostgreSQL (`channel_auth_state`), never in files: any node that
 * takes the channel's lease resumes the same session. Values are JSON; adapters encode binary data.
 */
export function createAuthStateStore(db: Db, channelId: number, fence?: { nodeId: string }): AuthStateStore {
  /**
   * With a fence, writes happen only while this node holds the channel's lease: a node that lost it
   * (frozen, partitioned) must not overwrite or wipe the new holder's credentials.
   */
  const assertHolder = async (tx: Pick<Db, 'execute'>) => {
    if (!fence) return;
    const held = await tx.execute(
      sql`select 1 from channel_leases where channel_id = ${channelId} and node_id = ${fence.nodeId} and expires_at > now() for share`,
    );
    if (held.length === 0) throw new Error(`channel ${channelId}: this node no longer holds the session; auth state not written`);
  };
  return {
    async get(kind, keys) {
      if (keys.length === 0) return new Map();
      const rows = await db
        // As text, parsed here: drizzle's jsonb reader parses postgres.js's already-parsed value again,
        // which turns a stored string such as "5491123456789" into a number.
        .select({ key: channelAuthState.key, value: sql<string>`${channelAuthState.value}::text` })
        .from(channelAuthState)
        .where(and(eq(channelAuthState.channelId, channelId), eq(channelAuthState.kind, kind), inArray(channelAuthState.key, [...keys])));
      return new Map(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
    },
    async set(entries) {
      if (entries.length === 0) return;
      // Last write wins within one call (Baileys may set, then delete, one key in one update).
      const latest = new Map(entries.map((entry) => [`${entry.kind}\u0000${entry.key}`, entry]));
      const deletes = [...latest.values()].filter((entry) => entry.value === null || entry.value === undefined);
      const values = [...latest.values()]
        .filter((entry) => entry.value !== null && entry.value !== undefined)
        .map((entry) => ({ channelId, kind: entry.kind, key: entry.key, value: entry.value as object, updatedAt: new Date() }));
      await db.transaction(async (tx) => {
        await assertHolder(tx);
        for (const entry of deletes) {
          await tx
            .delete(channelAuthState)
            .where(and(eq(channelAuthState.channelId, channelId), eq(channelAuthState.kind, entry.kind), eq(channelAuthState.key, entry.key)));
        }
        for (let i = 0; i < values.length; i += 500) {
          await tx
            .insert(channelAuthState)
            .values(values.slice(i, i + 500))
            .onConflictDoUpdate({
              target: [channelAuthState.channelId, channelAuthState.kind, channelAuthState.key],
              set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` },
            });
        }
      });
    },
    async clear() {
      await db.transaction(async (tx) => {
        await assertHolder(tx);
        await tx.delete(channelAuthState).where(eq(channelAuthState.channelId, channelId));
      });
    },
  };
}
