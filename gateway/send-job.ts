import { setTimeout } from 'node:timers/promises';
import { and, eq } from 'drizzle-orm';
import type { JobWithMetadata, Queue, WorkOptions } from 'pg-boss';
import { channels, messages } from '../db/schema/index.ts';
import { messageEvents } from '../conversations/conversation-events.ts';
import { plainText } from '../conversations/outbound-content.ts';
import { QUEUES } from '../server/queues.ts';
import { BATCH_WORK, runBatch } from '../server/job-batch.ts';
import type { Logger } from '../server/logger.ts';
import { inTransaction, type Services } from '../server/unit-of-work.ts';
import type { SendResult } from './channel.ts';
import type { ChannelRegistry } from './channel-registry.ts';
import { CHANNEL_SCHEMAS } from './channel-schemas.ts';
import { reserveSendSlot } from './send-pacing.ts';
import type { SessionManager } from './session/session-manager.ts';

export const queue = QUEUES.gatewaySend;
export const options: Omit<Queue, 'name'> = { policy: 'standard', retryLimit: 5, retryDelay: 2, retryBackoff: true, notify: true };
export const workOptions = { ...BATCH_WORK, batchSize: 10, localConcurrency: 2 } satisfies WorkOptions;

export type SendJob = { messageId: number };

export type SendServices = Services & { channels: ChannelRegistry; sessions: SessionManager };

/** Messages this process is handing to a provider now: a duplicate job for one of them stands back. */
const inFlight = new Set<number>();

/**
 * Hands one queued message to its channel. A provider refusal is stored as `failed` with the
 * provider's code and text; a retryable one is thrown so pg-boss tries again, and recorded as failed
 * on the last attempt. A session channel's message goes to the node holding the session (its own
 * queue) unless this node holds it. Every send waits for the channel's next slot, shared by all nodes.
 */
export async function sendQueuedMessage(services: SendServices, messageId: number, lastAttempt: boolean, via: 'send-queue' | 'session-queue' = 'send-queue') {
  const message = await services.db.query.messages.findFirst({ where: eq(messages.id, messageId) });
  if (!message || message.status !== 'queued') return; // sent already, or cancelled
  // Another job has it in hand (a retry of an expired job): try again later rather than complete.
  if (inFlight.has(messageId)) throw new Error(`message ${messageId} is being sent by another job`);
  const channel = await services.db.query.channels.findFirst({ where: eq(channels.id, message.channelId) });
  let adapter = channel?.enabled ? services.channels.get(channel) : undefined;
  if (channel && adapter?.session?.carriesSends) {
    // Only the session's own queue sends: its retries outlast a session being down, and its
    // concurrency is what the connection takes.
    if (via === 'send-queue') {
      await services.boss.send(await services.sessions.ensureSendQueue(channel.id), { messageId } satisfies SendJob);
      return;
    }
    adapter = services.sessions.running(channel.id);
    if (!adapter) throw new Error(`the session of channel ${channel.id} is not running on this node (restarting or taken over)`);
  }
  inFlight.add(messageId);
  try {
    let result: SendResult;
    if (!channel || !adapter) {
      result = { ok: false, errorCode: 'channel_disabled', errorMessage: 'The channel is disabled', retryable: false };
    } else {
      const perSecond = channel.sendsPerSecond ?? CHANNEL_SCHEMAS[channel.type]?.defaultSendsPerSecond;
      if (perSecond) await setTimeout(await reserveSendSlot(services.db, channel.id, perSecond));
      result = await adapter
        .send({
          messageId: message.id,
          to: message.address,
          text: plainText(message.body, message.content),
          ...(message.content ? { rich: { body: message.body, content: message.content } } : {}),
          media: message.media,
        })
        .catch((error: unknown) => ({
          ok: false as const,
          errorCode: 'send_error',
          errorMessage: error instanceof Error ? error.message : String(error),
          retryable: true,
        }));
    }
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
  } finally {
    inFlight.delete(messageId);
  }
}

export function handle(services: SendServices, logger: Logger) {
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
