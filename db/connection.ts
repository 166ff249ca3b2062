import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
/** A drizzle transaction; commands take `Db | Tx` so they compose inside a caller's transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Executor = Db | Tx;

export type Database = { sql: postgres.Sql; db: Db; close: () => Promise<void> };

/**
 * Seconds before the next attempt to reconnect, by consecutive failures (postgres.js's `backoff`).
 * Its default grows to 20 s, and a query waits that long after the database is back; here at most
 * 2 s, which for a pool of 20 is a few connection attempts a second while the database is down.
 */
export const reconnectBackoff = (retries: number) => (0.5 + Math.random() / 2) * Math.min(0.1 * 2 ** retries, 2);

/** Opens the one postgres.js pool of this process; drizzle and pg-boss both run on it. */
export function connectDatabase(url: string, options: { max?: number; applicationName?: string } = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    backoff: reconnectBackoff,
    connection: { application_name: options.applicationName ?? 'omnichat' },
  });
  const db = drizzle({ client: sql, schema, casing: 'snake_case' });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}
