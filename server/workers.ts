import type { PgBoss, Queue, WorkOptions } from 'pg-boss';
import * as inboundJob from '../conversations/inbound-job.ts';
import * as keylessSendJob from '../gateway/keyless-send-job.ts';
import * as sendJob from '../gateway/send-job.ts';
import * as statusJob from '../gateway/status-job.ts';
import * as assignJob from '../routing/assign-job.ts';
import * as botTimeoutJob from '../bots/timeout-job.ts';
import * as answerTimeoutJob from '../routing/answer-timeout-job.ts';
import * as chatTimeJob from '../routing/chat-time-job.ts';
import * as presenceGraceJob from '../routing/presence-grace-job.ts';
import * as routingSweepJob from '../routing/sweep-job.ts';
import type { AppServices } from './app-services.ts';
import type { QueueName } from './queues.ts';

type HandlerModule = {
  queue: QueueName;
  options: Omit<Queue, 'name'>;
  workOptions: WorkOptions;
  schedule?: { cron: string; data: object };
};

const HANDLERS = [
  inboundJob,
  sendJob,
  keylessSendJob,
  statusJob,
  assignJob,
  botTimeoutJob,
  answerTimeoutJob,
  chatTimeJob,
  presenceGraceJob,
  routingSweepJob,
] as const satisfies readonly HandlerModule[];

/**
 * Creates every queue (any process may enqueue to any of them) and brings one that exists to this
 * version's settings, which createQueue leaves as they were: an upgraded installation gets new retry
 * and heartbeat settings for the jobs sent from now on. A queue's policy cannot change.
 */
export async function createQueues(boss: PgBoss): Promise<void> {
  for (const handler of HANDLERS) {
    await boss.createQueue(handler.queue, handler.options);
    const { policy: _, ...settings } = handler.options;
    await boss.updateQueue(handler.queue, settings);
  }
}

/** Starts the workers of this process's `workers` role. */
export async function startWorkers(boss: PgBoss, services: AppServices): Promise<void> {
  const { logger } = services;
  await boss.work(inboundJob.queue, inboundJob.workOptions, inboundJob.handle(services, logger));
  await boss.work(sendJob.queue, sendJob.workOptions, sendJob.handle(services, logger));
  // Jobs without a customer key (the first send queues, and producers that give none) join their customer's FIFO.
  await boss.work(keylessSendJob.queue, keylessSendJob.workOptions, keylessSendJob.handle(services, logger));
  await keylessSendJob.workLegacySessionQueues(boss, services, logger);
  await boss.work(statusJob.queue, statusJob.workOptions, statusJob.handle(services, logger));
  await boss.work(assignJob.queue, assignJob.workOptions, assignJob.handle(services));
  await boss.schedule(assignJob.queue, assignJob.schedule.cron, assignJob.schedule.data);
  await boss.work(botTimeoutJob.queue, botTimeoutJob.workOptions, botTimeoutJob.handle(services));
  await boss.schedule(botTimeoutJob.queue, botTimeoutJob.schedule.cron, botTimeoutJob.schedule.data);
  await boss.work(answerTimeoutJob.queue, answerTimeoutJob.workOptions, answerTimeoutJob.handle(services));
  await boss.work(chatTimeJob.queue, chatTimeJob.workOptions, chatTimeJob.handle(services));
  await boss.work(presenceGraceJob.queue, presenceGraceJob.workOptions, presenceGraceJob.handle(services));
  await boss.work(routingSweepJob.queue, routingSweepJob.workOptions, routingSweepJob.handle(services));
  await boss.schedule(routingSweepJob.queue, routingSweepJob.schedule.cron, routingSweepJob.schedule.data);
}
