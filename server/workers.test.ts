import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgBoss } from 'pg-boss';
import { createTestDatabase } from '../test/harness/test-database.ts';
import { createJobQueue, JOB_HEARTBEAT_SECONDS } from '../kernel/job-queue.ts';
import { createLogger } from '../kernel/logger.ts';
import { QUEUES } from '../kernel/queues.ts';
import { createQueues } from './workers.ts';

describe('job queues on start', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let sql: postgres.Sql;
  let boss: PgBoss;

  beforeAll(async () => {
    database = await createTestDatabase();
    sql = postgres(database.url, { max: 2, onnotice: () => {} });
    boss = createJobQueue(sql, createLogger('silent'));
    await boss.start();
  });
  afterAll(async () => {
    await boss.stop({ graceful: false, close: false });
    await sql.end();
    await database.drop();
  });

  it("brings an earlier version's queues to this version's settings, so a dead worker's job comes back", async () => {
    // As an installation made before heartbeats were set: no heartbeat, another retry limit.
    for (const name of Object.values(QUEUES)) await boss.updateQueue(name, { heartbeatSeconds: null as unknown as number, retryLimit: 1 });
    expect((await boss.getQueue(QUEUES.conversationInbound))?.heartbeatSeconds).toBeNull();

    await createQueues(boss);

    for (const name of Object.values(QUEUES)) {
      const queue = await boss.getQueue(name);
      expect(queue, name).toMatchObject({ heartbeatSeconds: JOB_HEARTBEAT_SECONDS });
      expect(queue!.retryLimit, name).toBeGreaterThan(1);
    }
    // Jobs sent from now on carry it.
    const id = await boss.send(QUEUES.routingAssign, { campaignId: 1 });
    expect((await boss.getJobById(QUEUES.routingAssign, id!))?.heartbeatSeconds).toBe(JOB_HEARTBEAT_SECONDS);
  });
});
