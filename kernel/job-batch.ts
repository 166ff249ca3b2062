import type { JobResult, JobWithMetadata } from 'pg-boss';

/**
 * Runs the jobs of one fetched batch, at most `concurrency` at a time, and reports each job's own
 * outcome (pg-boss `perJobResults`): one job failing retries that job alone, not its batch.
 */
export async function runBatch<T>(jobs: JobWithMetadata<T>[], concurrency: number, handle: (job: JobWithMetadata<T>) => Promise<void>): Promise<JobResult[]> {
  const results: JobResult[] = [];
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      try {
        await handle(job);
        results.push({ id: job.id, status: 'completed' });
      } catch (error) {
        results.push({ id: job.id, status: 'failed', output: { message: error instanceof Error ? error.message : String(error) } });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane));
  return results;
}

/** Worker options shared by the batch handlers: re-fetch at once while batches come back full. */
export const BATCH_WORK = {
  includeMetadata: true,
  perJobResults: true,
  burstWhenBatchFull: true,
  pollingIntervalSeconds: 1,
  notifyPollingIntervalSeconds: 1,
} as const;
