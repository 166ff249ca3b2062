import { eq } from 'drizzle-orm';
import type { JobWithMetadata, PgBoss, Queue, WorkOptions } from 'pg-boss';
import { messages } from '../db/schema/index.ts';
import { LEGACY_SESSION_SEND_PREFIX, QUEUES } from '../kernel/queues.ts';
import { BATCH_WORK, runBatch } from '../kernel/job-batch.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Services } from '../kernel/unit-of-work.ts';
import { enqueueSendOn, type SendJob } from '../messages/enqueue-send.ts';

/**
 * `gateway.send`, the first send queue: policy standard, no customer key, so it cannot keep a
 * customer's messages in order. Its jobs (left in an existing database, or from a producer that
 * gives no key) are forwarded to `gateway.outbound` under their customer's key; nothing is sent here.
 */
export const queue = QUEUES.gatewaySend;
export const options: Omit<Queue, 'name'> = { policy: 'standard', retryLimit: 5, retryDelay: 2, retryBackoff: true, notify: true };
/** Forwarding is quick; notify wakes the worker, so an idle queue is polled seldom. */
export const workOptions = {
  ...BATCH_WORK,
  batchSize: 20,
  localConcurrency: 1,
  pollingIntervalSeconds: 5,
  notifyPollingIntervalSeconds: 5,
} satisfies WorkOptions;

/**
 * Moves one send job to its customer's FIFO. A forward that is retried (the job failed after the
 * send) makes a second job for the same message, which finds it sent: harmless.
 */
export async function forwardSend(services: Services, messageId: number): Promise<void> {
  const message = await services.db.query.messages.findFirst({
    where: eq(messages.id, messageId),
    columns: { id: true, channelId: true, address: true, status: true, direction: true },
  });
  if (!message || message.direction !== 'outbound' || message.status !== 'queued') return;
  await enqueueSendOn(services.boss, QUEUES.gatewayOutbound, message);
}

export function handle(services: Services, logger: Logger) {
  return (jobs: JobWithMetadata<SendJob>[]) =>
    runBatch(jobs, 5, async (job) => {
      try {
        await forwardSend(services, job.data.messageId);
      } catch (error) {
        logger.warn({ err: error, messageId: job.data.messageId }, 'send not forwarded, will retry');
        throw error;
      }
    });
}

/**
 * Session channels had one standard queue each (`gateway.session-send.<id>`); the ones an existing
 * database still has are worked here the same way, so no accepted message is left in them. They
 * can be deleted once empty on every installation.
 */
export async function workLegacySessionQueues(boss: PgBoss, services: Services, logger: Logger): Promise<string[]> {
  const legacy: string[] = [];
  // Queues come ordered by name: page from the prefix on until a name leaves it.
  for (let after = LEGACY_SESSION_SEND_PREFIX; ; ) {
    const page = (await boss.getQueues(undefined, { after, limit: 500 })).map((found) => found.name);
    legacy.push(...page.filter((name) => name.startsWith(LEGACY_SESSION_SEND_PREFIX)));
    if (page.length < 500 || !page.at(-1)!.startsWith(LEGACY_SESSION_SEND_PREFIX)) break;
    after = page.at(-1)!;
  }
  for (const name of legacy) await boss.work(name, workOptions, handle(services, logger));
  return legacy;
}
