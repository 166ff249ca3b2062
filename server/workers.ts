import type { PgBoss, Queue, WorkOptions } from 'pg-boss';
import * as inboundJob from '../bots/inbound-job.ts';
import * as sendJob from '../gateway/send-job.ts';
import * as statusJob from '../gateway/status-job.ts';
import { applyMessageReports } from '../messages/apply-message-reports.ts';
import { applySpoolReports } from '../dialer/spool-delivery.ts';
import * as assignJob from '../routing/assign-job.ts';
import * as botTimeoutJob from '../bots/timeout-job.ts';
import * as answerTimeoutJob from '../routing/answer-timeout-job.ts';
import * as chatTimeJob from '../routing/chat-time-job.ts';
import * as presenceGraceJob from '../routing/presence-grace-job.ts';
import * as routingSweepJob from '../routing/sweep-job.ts';
import type { AppServices } from '../api/app-services.ts';
import type { QueueName } from '../kernel/queues.ts';
import { ensureQueue, HEARTBEAT_REFRESH_SECONDS } from '../kernel/job-queue.ts';

type HandlerModule = {
  queue: QueueName;
  options: Omit<Queue, 'name'>;
  workOptions: WorkOptions;
  schedule?: { cron: string; data: object };
};

const HANDLERS = [
  inboundJob,
  sendJob,
  statusJob,
  assignJob,
  botTimeoutJob,
  answerTimeoutJob,
  chatTimeJob,
  presenceGraceJob,
  routingSweepJob,
] as const satisfies readonly HandlerModule[];

/** Creates every queue (any process may enqueue to any of them), or brings it to this version's settings. */
export async function createQueues(boss: PgBoss): Promise<void> {
  for (const handler of HANDLERS) await ensureQueue(boss, handler.queue, handler.options);
}

/** Starts the workers of this process's `workers` role. */
export async function startWorkers(boss: PgBoss, services: AppServices): Promise<void> {
  const { logger } = services;
  // Every worker refreshes its jobs' heartbeat at the same pace (see JOB_HEARTBEAT_SECONDS).
  const beating = <O extends WorkOptions>(options: O) => ({ heartbeatRefreshSeconds: HEARTBEAT_REFRESH_SECONDS, ...options });
  await boss.work(inboundJob.queue, beating(inboundJob.workOptions), inboundJob.handle(services, logger));
  await boss.work(sendJob.queue, beating(sendJob.workOptions), sendJob.handle(services, logger));
  // Jobs without a customer key (the first send queues, and producers that give none) join their customer's FIFO.
  await boss.work(statusJob.queue, beating(statusJob.workOptions), statusJob.handle(services, logger, [applyMessageReports, applySpoolReports]));
  await boss.work(assignJob.queue, beating(assignJob.workOptions), assignJob.handle(services));
  await boss.schedule(assignJob.queue, assignJob.schedule.cron, assignJob.schedule.data);
  await boss.work(botTimeoutJob.queue, beating(botTimeoutJob.workOptions), botTimeoutJob.handle(services));
  await boss.schedule(botTimeoutJob.queue, botTimeoutJob.schedule.cron, botTimeoutJob.schedule.data);
  await boss.work(answerTimeoutJob.queue, beating(answerTimeoutJob.workOptions), answerTimeoutJob.handle(services));
  await boss.work(chatTimeJob.queue, beating(chatTimeJob.workOptions), chatTimeJob.handle(services));
  await boss.work(presenceGraceJob.queue, beating(presenceGraceJob.workOptions), presenceGraceJob.handle(services));
  await boss.work(routingSweepJob.queue, beating(routingSweepJob.workOptions), routingSweepJob.handle(services));
  await boss.schedule(routingSweepJob.queue, routingSweepJob.schedule.cron, routingSweepJob.schedule.data);
}
