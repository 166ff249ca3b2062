import { and, eq } from 'drizzle-orm';
import type { JobWithMetadata, Queue, WorkOptions } from 'pg-boss';
import { channels, messages } from '../db/schema/index.ts';
import { messageEvents } from '../conversations/conversation-events.ts';
import { QUEUES } from '../server/queues.ts';
import { BATCH_WORK, runBatch } from '../server/job-batch.ts';
import type { Logger } from '../server/logger.ts';
import { inTransaction, type Services } from '../server/unit-of-work.ts';
import type { ChannelRegistry } from './channel-registry.ts';

export const queue = QUEUES.gatewaySend;
export const options: Omit<Queue, 'name'> = { policy: 'standard', retryLimit: 5, retryDelay: 2, retryBackoff: true, notify: true };
export const workOptions = { ...BATCH_WORK, batchSize: 10, localConcurrency: 2 } satisfies WorkOptions;

export type SendJob = { messageId: number };

/**
 * Hands one queued message to its channel. A provider refusal is stored as `failed` with the
 * provider's code and text; a retryable one is thrown so pg-boss tries again, and recorded as failed
 * on the last attempt.
 */
export async function sendQueuedMessage(services: Services & { channels: ChannelRegistry }, messageId: number, lastAttempt: boolean) {
  const message = await services.db.query.messages.findFirst({ where: eq(messages.id, messageId) });
  if (!message || message.status !== 'queued') return; // sent already (retried job) or cancelled
  const channel = await services.db.query.channels.findFirst({ where: eq(channels.id, message.channelId) });
  const result = !channel?.enabled
    ? ({ ok: false, errorCode: 'channel_disabled', errorMessage: 'The channel is disabled', retryable: false } as const)
    : await services.channels
        .get(channel)
        .send({ messageId: message.id, to: message.address, text: message.body, media: message.media })
        .catch((error: unknown) => ({
          ok: false as const,
          errorCode: 'send_error',
          errorMessage: error instanceof Error ? error.message : String(error),
          retryable: true,
        }));
  if (!result.ok && result.retryable && !lastAttempt) throw new Error(`${result.errorCode}: ${result.errorMessage}`);
  await inTransaction(services, async (uow) => {
    const now = new Date();
    await uow.tx
      .update(messages)
      .set(
        result.ok
          ? { status: 'sent', providerMessageId: result.providerMessageId, sentAt: now }
          : { status: 'failed', errorCode: result.errorCode, errorMessage: result.errorMessage, failedAt: now },
      )
      // Only from `queued`: never overwrite what a delivery report or another attempt already wrote.
      .where(and(eq(messages.id, message.id), eq(messages.status, 'queued')));
    uow.emit(...(await messageEvents(uow.tx, [message.id], 'message.updated')));
  });
}

export function handle(services: Services & { channels: ChannelRegistry }, logger: Logger) {
  return (jobs: JobWithMetadata<SendJob>[]) =>
    runBatch(jobs, 5, async (job) => {
      try {
        await sendQueuedMessage(services, job.data.messageId, job.retryCount >= job.retryLimit);
      } catch (error) {
        logger.warn({ err: error, messageId: job.data.messageId, attempt: job.retryCount }, 'send failed, will retry');
        throw error;
      }
    });
}
