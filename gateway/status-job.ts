import type { JobWithMetadata, Queue, WorkOptions } from 'pg-boss';
import { QUEUES } from '../kernel/queues.ts';
import { BATCH_WORK, runBatch } from '../kernel/job-batch.ts';
import type { Logger } from '../kernel/logger.ts';
import { inTransaction, type Services, type UnitOfWork } from '../kernel/unit-of-work.ts';
import type { StatusReport } from './channel.ts';
import { isLastAttempt } from '../kernel/job-queue.ts';

export const queue = QUEUES.gatewayStatus;
export const options: Omit<Queue, 'name'> = { policy: 'standard', retryLimit: 6, retryDelay: 1, retryBackoff: true, notify: true };
export const workOptions = { ...BATCH_WORK, batchSize: 20, localConcurrency: 1 } satisfies WorkOptions;

export type StatusJob = { channelId: number; reports: (Omit<StatusReport, 'at'> & { at: string })[] };

/**
 * Applies the delivery reports it recognises (a conversation's messages, a broadcast's spool rows…)
 * and answers the rest. The status job runs the handlers composition gives it, in order, each with
 * what the previous ones left, so the gateway knows no one above it.
 */
export type StatusHandler = (uow: UnitOfWork, channelId: number, reports: readonly StatusReport[]) => Promise<StatusReport[]>;

export class UnmatchedReportsError extends Error {
  override name = 'UnmatchedReportsError';
}

/**
 * Applies delivery reports. A report can arrive before the send job has stored the provider's id
 * (a fast provider, or the simulator's phone): such reports are retried with backoff rather than
 * dropped, and given up (logged) only after the last attempt.
 */
export async function applyReportsJob(
  services: Services,
  handlers: readonly StatusHandler[],
  job: StatusJob,
  lastAttempt: boolean,
  logger: Logger,
): Promise<void> {
  const reports = job.reports.map((report) => ({ ...report, at: new Date(report.at) }));
  const left = await inTransaction(services, async (uow) => {
    let rest: StatusReport[] = reports;
    for (const handler of handlers) if (rest.length) rest = await handler(uow, job.channelId, rest);
    return rest;
  });
  const unmatched = left.map((report) => report.providerMessageId);
  if (unmatched.length === 0) return;
  if (!lastAttempt) throw new UnmatchedReportsError(`${unmatched.length} report(s) match no sent message yet`);
  logger.warn({ channelId: job.channelId, providerMessageIds: unmatched }, 'delivery reports for unknown messages dropped');
}

export function handle(services: Services, logger: Logger, handlers: readonly StatusHandler[]) {
  return (jobs: JobWithMetadata<StatusJob>[]) => runBatch(jobs, 4, (job) => applyReportsJob(services, handlers, job.data, isLastAttempt(job), logger));
}
