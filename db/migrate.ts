import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type postgres from 'postgres';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

/** Arbitrary constant identifying "schema migration" among advisory locks. */
const MIGRATION_LOCK = 7_340_001;

/**
 * Applies pending migrations. Two processes starting at once serialize on a session advisory lock,
 * so the second finds the work done instead of racing the first on CREATE TABLE.
 */
export async function applyMigrations(sql: postgres.Sql): Promise<void> {
  const connection = await sql.reserve();
  try {
    await connection`select pg_advisory_lock(${MIGRATION_LOCK})`;
    try {
      // The lock is held by the reserved session; the migration itself runs on the pool.
      await migrate(drizzle({ client: sql }), { migrationsFolder: MIGRATIONS_DIR });
    } finally {
      await connection`select pg_advisory_unlock(${MIGRATION_LOCK})`;
    }
  } finally {
    connection.release();
  }
}
