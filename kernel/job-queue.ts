import { PgBoss, type Db as IDatabase, type Queue } from 'pg-boss';
import type postgres from 'postgres';
import { isConnectionLost } from '../db/connection-lost.ts';
import type { Logger } from './logger.ts';

/**
 * Job liveness, the same for every queue (each handler's `options` names it): a worker refreshes its
 * jobs' heartbeat every HEARTBEAT_REFRESH_SECONDS while their handler runs, so a long job that is alive
 * (a slow provider send, a bot HTTP node of up to 30 s, a drain of a burst) keeps its claim however
 * long it takes, up to the queue's expiry (pg-boss's 15 minutes). A job whose process died stops
 * beating: 30 s later the supervisor, which looks every SUPERVISE_SECONDS, fails it into its retry, so
 * it runs again within about a minute instead of staying `active` for 15 minutes and holding its
 * customer's FIFO back. 30 s is six refreshes: a database away for up to ~25 s (a restart) does not
 * take a live job away from its worker.
 */
export const JOB_HEARTBEAT_SECONDS = 30;
export const HEARTBEAT_REFRESH_SECONDS = 5;
/**
 * Creates a queue, or brings one an earlier version created to these settings (createQueue leaves an
 * existing queue as it was; its policy cannot change): the jobs sent from now on get them. Every
 * queue's jobs beat (JOB_HEARTBEAT_SECONDS) unless its options say otherwise.
 */
export async function ensureQueue(boss: PgBoss, name: string, options: Omit<Queue, 'name'>): Promise<void> {
  const settings = { heartbeatSeconds: JOB_HEARTBEAT_SECONDS, ...options };
  await boss.createQueue(name, settings);
  const { policy: _, ...changeable } = settings;
  await boss.updateQueue(name, changeable);
}

/** How often pg-boss's supervisor fails lost jobs (and refreshes its queue figures); its default is 60 s. */
const SUPERVISE_SECONDS = 15;
/** While the database is away every worker's poll fails: one line per this many seconds says so. */
const OUTAGE_LOG_SECONDS = 10;

/**
 * pg-boss over postgres.js (its `db` adapter). Jobs that must commit with a row are sent with
 * `{ db: fromDrizzle(tx, sql) }` on that transaction's connection (see `kernel/unit-of-work.ts`).
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
  const boss = new PgBoss({
    db: database,
    useListenNotify: true,
    superviseIntervalSeconds: SUPERVISE_SECONDS,
    monitorIntervalSeconds: SUPERVISE_SECONDS,
  });
  let outageLoggedAt = 0;
  let unlogged = 0;
  boss.on('error', (error) => {
    if (!isConnectionLost(error)) return void logger.error({ err: error }, 'job queue error');
    // pg-boss retries by itself (polls, heartbeats, supervision): this is a database away, not a bug.
    if (Date.now() - outageLoggedAt < OUTAGE_LOG_SECONDS * 1000) return void unlogged++;
    logger.warn({ err: error, similarSinceLastLine: unlogged }, 'job queue cannot reach the database; retrying');
    outageLoggedAt = Date.now();
    unlogged = 0;
  });
  return boss;
}

/** Whether pg-boss will not try this job again if it fails now. */
export function isLastAttempt(job: { retryCount: number; retryLimit: number }): boolean {
  return job.retryCount >= job.retryLimit;
}

/**
 * Runs one job of a `key_strict_fifo` queue (a customer's messages in order). A job that ends failed
 * would hold that customer's later jobs back for good, so on its last attempt an error is logged
 * (`gaveUp`) and the job completes, its message left for the customer's next job or a retry by hand;
 * before that, the error fails the job into its retry (logged as `retrying`, when given).
 */
export async function runFifoJob(
  job: { retryCount: number; retryLimit: number },
  logger: Logger,
  log: { context: Record<string, unknown>; gaveUp: string; retrying?: string },
  work: (lastAttempt: boolean) => Promise<void>,
): Promise<void> {
  const lastAttempt = isLastAttempt(job);
  try {
    await work(lastAttempt);
  } catch (error) {
    if (!lastAttempt) {
      if (log.retrying) logger.warn({ err: error, ...log.context, attempt: job.retryCount }, log.retrying);
      throw error;
    }
    logger.error({ err: error, ...log.context }, log.gaveUp);
  }
}
