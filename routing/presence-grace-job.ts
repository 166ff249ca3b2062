import type { JobWithMetadata, Queue, WorkOptions } from 'pg-boss';
import { eq, sql } from 'drizzle-orm';
import { agentPresence } from '../db/schema/index.ts';
import { BATCH_WORK, runBatch } from '../kernel/job-batch.ts';
import { QUEUES } from '../kernel/queues.ts';
import { inTransaction, type Services, type UnitOfWork } from '../kernel/unit-of-work.ts';
import { lockPresence, setPresence } from './agent-presence.ts';

export const queue = QUEUES.routingPresenceGrace;
export const options: Omit<Queue, 'name'> = { policy: 'standard', retryLimit: 5, retryDelay: 2, notify: true };
export const workOptions = { ...BATCH_WORK, batchSize: 20 } satisfies WorkOptions;

export type GraceJob = { userId: number; disconnectedAt: string };

/** The agent's console sockets are all connected again (or connecting): the clock is not running. */
export async function markConnected(services: Services, userId: number): Promise<void> {
  // Under the presence lock and with the database clock, like markDisconnected: whichever of a
  // reconnect and a disconnect commits last is the later stamp, so the grace job can compare them.
  await inTransaction(services, async (uow) => {
    await lockPresence(uow.tx, userId);
    await uow.tx.update(agentPresence).set({ connectedAt: sql`clock_timestamp()` }).where(eq(agentPresence.userId, userId));
  });
}

/**
 * The agent's last console socket went away: start the grace period. A page reload or a short
 * network cut reconnects within it and nothing happens; otherwise the job takes the agent offline.
 */
export async function markDisconnected(uow: UnitOfWork, userId: number, graceSeconds: number): Promise<void> {
  const [row] = await uow.tx
    .update(agentPresence)
    .set({ disconnectedAt: sql`clock_timestamp()` })
    .where(eq(agentPresence.userId, userId))
    .returning({ disconnectedAt: agentPresence.disconnectedAt });
  await uow.enqueue(queue, { userId, disconnectedAt: row!.disconnectedAt!.toISOString() } satisfies GraceJob, { startAfter: graceSeconds });
}

/** Past the grace period: offline, unless the agent came back (a later connection) or left already. */
export async function expireGrace(services: Services, job: GraceJob): Promise<boolean> {
  return inTransaction(services, async (uow) => {
    const presence = await lockPresence(uow.tx, job.userId);
    if (presence.state === 'offline' || presence.disconnectedAt?.toISOString() !== job.disconnectedAt) return false;
    if (presence.connectedAt && presence.connectedAt > presence.disconnectedAt) return false;
    await setPresence(uow, { userId: job.userId, change: { state: 'offline' }, changedByUserId: null, reason: 'disconnected' });
    return true;
  });
}

export function handle(services: Services) {
  return (jobs: JobWithMetadata<GraceJob>[]) => runBatch(jobs, 5, async (job) => void (await expireGrace(services, job.data)));
}
