import { PgBoss, type Db as IDatabase } from 'pg-boss';
import type postgres from 'postgres';
import type { Logger } from './logger.ts';

/**
 * pg-boss over postgres.js (its `db` adapter). Jobs that must commit with a row are sent with
 * `{ db: fromDrizzle(tx, sql) }` on that transaction's connection (see `server/unit-of-work.ts`).
 * pg-boss's own polling and maintenance get a small postgres.js pool of their own: drizzle's
 * postgres-js driver swaps the timestamp and JSON serializers of the client it wraps for pass-through
 * ones, and pg-boss passes Dates and objects as parameters.
 */
const TRANSACTION_SCRIPT = /^\s*begin\b/i;

export function createJobQueue(sql: postgres.Sql, logger: Logger): PgBoss {
  const database: IDatabase = {
    async executeSql(text, values) {
      if (TRANSACTION_SCRIPT.test(text)) {
        // pg-boss sends its locked maintenance as one `BEGIN; …; COMMIT` script. postgres.js refuses
        // a transaction on a pooled connection (another query could land inside it), so the script
        // runs on a connection reserved for it.
        const connection = await sql.reserve();
        try {
          const results = (await connection.unsafe(text)) as unknown as unknown[][];
          return { rows: results.flatMap((result) => (Array.isArray(result) ? [...result] : [])) };
        } finally {
          connection.release();
        }
      }
      const rows = await sql.unsafe(text, (values ?? []) as postgres.ParameterOrJSON<never>[]);
      return { rows: [...rows] };
    },
    // LISTEN on postgres.js: it re-subscribes after a reconnect and calls `onlisten` each time,
    // which is what pg-boss needs to recover notifications missed while disconnected.
    async listen(channel, onNotification, onReconnect) {
      const { unlisten } = await sql.listen(channel, onNotification, onReconnect);
      return { close: unlisten };
    },
  };
  const boss = new PgBoss({ db: database, useListenNotify: true, superviseIntervalSeconds: 30 });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  return boss;
}
