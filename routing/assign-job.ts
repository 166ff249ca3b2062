import { eq } from 'drizzle-orm';
import type { JobWithMetadata, Queue, WorkOptions } from 'pg-boss';
import { conversations } from '../db/schema/index.ts';
import { QUEUES } from '../kernel/queues.ts';
import { BATCH_WORK, runBatch } from '../kernel/job-batch.ts';
import type { Services } from '../kernel/unit-of-work.ts';
import { assignWaiting } from './assign-conversations.ts';

export const queue = QUEUES.routingAssign;
/** Stately per campaign: at most one run waiting and one running, so bursts of triggers collapse. */
export const options: Omit<Queue, 'name'> = { policy: 'stately', retryLimit: 3, retryDelay: 1, notify: true };
export const workOptions = { ...BATCH_WORK, batchSize: 5, localConcurrency: 2 } satisfies WorkOptions;
/** A sweep every minute catches anything a lost trigger left waiting. */
export const schedule = { cron: '* * * * *', data: { campaignId: null } };

export type AssignJob = { campaignId: number | null };

export function handle(services: Services) {
  return (jobs: JobWithMetadata<AssignJob>[]) =>
    runBatch(jobs, 5, async (job) => {
      // The sweep: every campaign with someone waiting (a disabled campaign still serves those it had).
      const ids =
        job.data.campaignId === null
          ? (await services.db.selectDistinct({ id: conversations.campaignId }).from(conversations).where(eq(conversations.status, 'queued'))).map((c) => c.id!)
          : [job.data.campaignId];
      for (const campaignId of ids) await assignWaiting(services, campaignId);
    });
}
