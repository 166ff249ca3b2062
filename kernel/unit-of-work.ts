import { sql } from 'drizzle-orm';
import { fromDrizzle, type JobInsert, type PgBoss, type SendOptions } from 'pg-boss';
import type { Db, Tx } from '../db/connection.ts';
import type { QueueName } from './queues.ts';
import type { LiveEvent, Realtime } from './realtime.ts';

/** What a command gets inside a transaction: the transaction, a way to enqueue jobs in it, and events for after commit. */
export type UnitOfWork = {
  tx: Tx;
  /** Enqueues a job in this transaction: it exists only if the transaction commits. */
  enqueue(queue: QueueName, data: object, options?: Omit<SendOptions, 'db'>): Promise<void>;
  /** Enqueues many jobs of one queue in this transaction, in one statement (the queue's own settings apply to each). */
  enqueueMany(queue: QueueName, jobs: readonly JobInsert[]): Promise<void>;
  /** Buffers a live event; published after commit, dropped on rollback. */
  emit(...events: LiveEvent[]): void;
  /**
   * Runs `work` once per key just before commit, in key order: requests made many times in a
   * transaction collapse into one, and every transaction takes their locks in the same order.
   */
  beforeCommit(key: string, work: () => Promise<void>): void;
};

export type Services = { db: Db; boss: PgBoss; realtime: Realtime };

/** Runs `work` in one transaction; its jobs commit with it and its live events go out only after commit. */
export async function inTransaction<T>(services: Services, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
  const events: LiveEvent[] = [];
  const result = await services.db.transaction(async (tx) => {
    const jobDb = fromDrizzle(tx, sql);
    const deferred = new Map<string, () => Promise<void>>();
    const value = await work({
      tx,
      async enqueue(queue, data, options) {
        await services.boss.send(queue, data, { ...options, db: jobDb });
      },
      async enqueueMany(queue, jobs) {
        if (jobs.length) await services.boss.insert(queue, [...jobs], { db: jobDb });
      },
      emit: (...more) => events.push(...more),
      beforeCommit(key, later) {
        if (!deferred.has(key)) deferred.set(key, later);
      },
    });
    // In key order; work deferred by deferred work runs too.
    const done = new Set<string>();
    for (let next = [...deferred.keys()].sort(); next.length; next = [...deferred.keys()].filter((key) => !done.has(key)).sort()) {
      for (const key of next) {
        done.add(key);
        await deferred.get(key)!();
      }
    }
    return value;
  });
  services.realtime.publish(events);
  return result;
}
