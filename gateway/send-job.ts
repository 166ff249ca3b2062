import { and, asc, eq, getTableColumns, gt } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { JobWithMetadata, Queue, WorkOptions } from 'pg-boss';
import { messages } from '../db/schema/index.ts';
import { QUEUES, sessionOutboundQueue } from '../kernel/queues.ts';
import { BATCH_WORK, runBatch } from '../kernel/job-batch.ts';
import type { Logger } from '../kernel/logger.ts';
import type { ChannelRegistry } from './channel-registry.ts';
import {
  deliverMessage,
  typingDelayOf,
  typingDue,
  typingLeftMs,
  type DeliverServices,
  type MessageRow,
  type QueuedMessage,
  type SendRoute,
} from './deliver-message.ts';
import { enqueueSendOn, type SendJob } from '../messages/enqueue-send.ts';
import type { SessionManager } from './session/session-manager.ts';
import { runFifoJob } from '../kernel/job-queue.ts';
import { channelById } from './channel-row.ts';

export type { SendJob } from '../messages/enqueue-send.ts';

export const queue = QUEUES.gatewayOutbound;
/**
 * Strict FIFO per customer (singletonKey = channel:address): one job of a customer runs at a time on
 * any node, and a job waiting to retry holds the customer's later jobs back. Its jobs carry the key,
 * so they are queued with `enqueueSend`.
 */
export const options: Omit<Queue, 'name'> = { policy: 'key_strict_fifo', retryLimit: 5, retryDelay: 2, retryBackoff: true, notify: true };
/** A batch holds at most one job per customer (key_strict_fifo), so its jobs run side by side. */
export const workOptions = { ...BATCH_WORK, batchSize: 10, localConcurrency: 2 } satisfies WorkOptions;
const CONCURRENCY_PER_BATCH = 5;
/**
 * Once past its own message, a drain stops after this long: the later messages have jobs of their
 * own, and a job must end well within pg-boss's expiry (15 minutes, which its heartbeat does not
 * extend), or a second worker would take it up while it still runs.
 */
const DRAIN_BUDGET_MS = 60_000;

export type SendServices = DeliverServices & { channels: ChannelRegistry; sessions: SessionManager };

/** Which queue a job came from: the shared send queue, or a session channel's own queue (its holder node). */
export type SendVia = 'send-queue' | 'session-queue';

/**
 * Sends every `queued` outbound message of the job's customer on its channel, in id order (a
 * "drain"). Jobs queued in one transaction share pg-boss's created_on, so their order among
 * themselves is random: no job trusts its turn; whichever runs first sends them all in order and
 * the others find their message sent. A retryable failure throws, so pg-boss retries the job and
 * the customer's later messages wait behind it. On the last attempt, failures up to the job's own
 * message are stored `failed` and the job completes (under key_strict_fifo a failed job would block
 * its customer for good); a later message is left to its own job and retries. A session channel's
 * message moves to the session's own queue, worked only by the node holding the session.
 */
export async function sendQueuedMessage(services: SendServices, messageId: number, lastAttempt: boolean, via: SendVia = 'send-queue'): Promise<void> {
  const first = await firstQueued(services, messageId);
  // Sent already (an earlier job's drain), or cancelled. Every message still queued has a job of its own.
  if (first.length === 0) return;
  /** The job's own message, and whose it is: the customer whose queued messages this job sends. */
  const message = { id: messageId, channelId: first[0]!.channelId, address: first[0]!.address };
  const channel = await channelById(services.db, message.channelId);
  const adapter = channel?.enabled ? services.channels.get(channel) : undefined;
  let route: SendRoute;
  if (channel && adapter?.session?.carriesSends) {
    // Only the session's own queue sends: its retries outlast a session being down, and its
    // concurrency is what the connection takes. Same key there, so the customer's order holds.
    if (via === 'send-queue') {
      await enqueueSendOn(services.boss, await services.sessions.ensureSendQueue(channel.id), message);
      return;
    }
    const running = services.sessions.running(channel.id);
    route = running
      ? { channel, adapter: running }
      : {
          refusal: {
            ok: false,
            errorCode: 'session_unavailable',
            errorMessage: `The session of channel ${channel.id} is not running on this node (restarting or taken over)`,
            retryable: true,
          },
        };
  } else {
    route =
      channel && adapter
        ? { channel, adapter }
        : { refusal: { ok: false, errorCode: 'channel_disabled', errorMessage: 'The channel is disabled', retryable: false } };
  }
  const stopAt = Date.now() + DRAIN_BUDGET_MS;
  // One message at a time, re-read each time (a send takes a while, and the rows may move meanwhile),
  // except that a customer with one queued message needs no second look: one queued since has its own job.
  for (let next: QueuedMessage | undefined = first[0]; next; next = first.length > 1 ? await nextQueued(services, message, next.id) : undefined) {
    if (next.id > message.id && Date.now() > stopAt) return;
    // A reply with a typing delay: "typing…" now, the send at its time, by this job scheduled again for
    // then, never by a worker sleeping meanwhile. The customer's later messages stay queued behind it:
    // every drain starts at the customer's first queued message. A later message's own job does this.
    if (next.id > message.id && typingDelayOf(next) > 0) return;
    const waitMs = 'refusal' in route ? null : await typingDue(services, next, route.adapter);
    if (waitMs) {
      await enqueueSendOn(services.boss, via === 'send-queue' ? QUEUES.gatewayOutbound : sessionOutboundQueue(message.channelId), message, { afterMs: waitMs });
      return;
    }
    const delivery = await deliverMessage(services, next, route, lastAttempt && next.id <= message.id);
    if (delivery.done) continue;
    if (!lastAttempt) throw new Error(delivery.reason);
    if (next.id > message.id) return; // its own job retries it, after this one completes
    // This message or an earlier one is in another job's hands (one that expired mid-send): its
    // outcome is that job's to store, so this job's own message gets a fresh job and this one completes.
    await enqueueSendOn(services.boss, via === 'send-queue' ? QUEUES.gatewayOutbound : sessionOutboundQueue(message.channelId), message);
    return;
  }
}

/** While the job's own message is still queued, its customer's first two queued outbound messages on the channel. */
async function firstQueued(services: SendServices, messageId: number): Promise<QueuedMessage[]> {
  const own = alias(messages, 'own');
  const rows = await services.db
    .select({ ...getTableColumns(messages), typingLeftMs })
    .from(own)
    .innerJoin(
      messages,
      and(eq(messages.channelId, own.channelId), eq(messages.address, own.address), eq(messages.status, 'queued'), eq(messages.direction, 'outbound')),
    )
    .where(and(eq(own.id, messageId), eq(own.status, 'queued'), eq(own.direction, 'outbound')))
    .orderBy(asc(messages.id))
    .limit(2);
  return rows.map(queuedMessage);
}

/** The customer's first queued outbound message on the channel after `afterId` (messages_queued_outbound_idx). */
async function nextQueued(services: SendServices, customer: { channelId: number; address: string }, afterId: number): Promise<QueuedMessage | undefined> {
  const [row] = await services.db
    .select({ ...getTableColumns(messages), typingLeftMs })
    .from(messages)
    .where(
      and(
        eq(messages.channelId, customer.channelId),
        eq(messages.address, customer.address),
        eq(messages.status, 'queued'),
        eq(messages.direction, 'outbound'),
        gt(messages.id, afterId),
      ),
    )
    .orderBy(asc(messages.id))
    .limit(1);
  return row && queuedMessage(row);
}

function queuedMessage(row: MessageRow & { typingLeftMs: string | null }): QueuedMessage {
  return { ...row, typingLeftMs: row.typingLeftMs === null ? null : Number(row.typingLeftMs) };
}

/**
 * Runs one send job. On its last attempt it never ends failed, which under key_strict_fifo would
 * hold the customer's later messages back for good: an unexpected error (the database, a bug) is
 * logged and the job completes; the message stays `queued`, and the customer's next job retries it.
 */
export async function runSendJob(services: SendServices, logger: Logger, job: JobWithMetadata<SendJob>, via: SendVia): Promise<void> {
  const log = { context: { messageId: job.data.messageId }, retrying: 'send failed, will retry', gaveUp: 'send job gave up; the message stays queued' };
  await runFifoJob(job, logger, log, (lastAttempt) => sendQueuedMessage(services, job.data.messageId, lastAttempt, via));
}

export function handle(services: SendServices, logger: Logger) {
  return (jobs: JobWithMetadata<SendJob>[]) => runBatch(jobs, CONCURRENCY_PER_BATCH, (job) => runSendJob(services, logger, job, 'send-queue'));
}
