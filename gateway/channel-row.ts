import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.ts';
import { channels } from '../db/schema/index.ts';

/** A channel row as every path that handles a message reads it: built once per connection pool, not per message. */
function prepare(db: Db) {
  return db.query.channels.findFirst({ where: eq(channels.id, sql.placeholder('id')) }).prepare('channel_by_id');
}

const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();

/**
 * The channel row by id, or undefined. The webhook route and the send job read it for every message:
 * the query is built once (building a relational query cost more CPU than running it).
 */
export function channelById(db: Db, id: number) {
  let query = prepared.get(db);
  if (!query) {
    query = prepare(db);
    prepared.set(db, query);
  }
  return query.execute({ id });
}
