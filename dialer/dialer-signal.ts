import { sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';

/** The Postgres channel on which a dialer's runners on every node hear "look again now". */
export const DIALER_SIGNAL = 'omnichat_dialer';

/**
 * Tells every node's dialer runner that this dialer changed (new rows, started, stopped, settings):
 * sent with the caller's transaction, so it is heard only once that commits.
 */
export async function signalDialer(db: Executor, dialerId: number): Promise<void> {
  await db.execute(sql`select pg_notify(${DIALER_SIGNAL}, ${String(dialerId)})`);
}
