import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/connection.ts';
import { channelAuthState } from '../../db/schema/index.ts';
import type { AuthStateStore } from '../channel.ts';

/**
 * A session channel's credentials in PostgreSQL (`channel_auth_state`), never in files: any node that
 * takes the channel's lease resumes the same session. Values are JSON; adapters encode binary data.
 */
export function createAuthStateStore(db: Db, channelId: number): AuthStateStore {
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
      await db.transaction(async (tx) => {
        const writes = entries.filter((entry) => entry.value !== null && entry.value !== undefined);
        const deletes = entries.filter((entry) => entry.value === null || entry.value === undefined);
        for (const entry of deletes) {
          await tx
            .delete(channelAuthState)
            .where(and(eq(channelAuthState.channelId, channelId), eq(channelAuthState.kind, entry.kind), eq(channelAuthState.key, entry.key)));
        }
        // Last write wins within one call (a key may be set twice in one Baileys update).
        const latest = new Map(writes.map((entry) => [`${entry.kind}\u0000${entry.key}`, entry]));
        const values = [...latest.values()].map((entry) => ({ channelId, kind: entry.kind, key: entry.key, value: entry.value as object, updatedAt: new Date() }));
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
      await db.delete(channelAuthState).where(eq(channelAuthState.channelId, channelId));
    },
  };
}
