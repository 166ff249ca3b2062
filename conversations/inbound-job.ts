import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { JobWithMetadata, Queue, WorkOptions } from 'pg-boss';
import { answerInbound } from '../bots/answer-inbound.ts';
import { campaigns, conversations, messages } from '../db/schema/index.ts';
import { resolveCampaign } from '../routing/resolve-campaign.ts';
import { QUEUES } from '../server/queues.ts';
import { BATCH_WORK, runBatch } from '../server/job-batch.ts';
import { inTransaction, type Services } from '../server/unit-of-work.ts';
import type { Logger } from '../server/logger.ts';
import { conversationEvents, messageEvents } from './conversation-events.ts';
import { findOrCreateContactAddress, findOrOpenConversation } from './open-conversation.ts';

export const queue = QUEUES.conversationInbound;
/** Strict FIFO per customer (singletonKey = channel:address): one conversation's messages never overtake. */
export const options: Omit<Queue, 'name'> = { policy: 'key_strict_fifo', retryLimit: 5, retryDelay: 1, retryBackoff: true, notify: true };
/** A batch holds at most one job per customer (key_strict_fifo), so its jobs run side by side. */
export const workOptions = { ...BATCH_WORK, batchSize: 10, localConcurrency: 2 } satisfies WorkOptions;
const CONCURRENCY_PER_BATCH = 5;

export type InboundJob = { messageId: number };

/**
 * Attaches a stored inbound message to its contact's open conversation (opening one with the bot if
 * needed), lets the bot answer, and tells the console; all in one transaction.
 */
export async function processInboundMessage(services: Services, messageId: number): Promise<void> {
  await inTransaction(services, async (uow) => {
    const [message] = await uow.tx.select().from(messages).where(eq(messages.id, messageId)).for('update');
    if (!message || message.conversationId !== null) return; // already processed (a retried job)
    const address = await findOrCreateContactAddress(uow.tx, {
      channelId: message.channelId,
      address: message.address,
      profileName: (message.metadata.profileName as string | undefined) ?? null,
    });
    const to = (message.metadata.to as string | null | undefined) ?? null;
    const opened = await findOrOpenConversation(
      uow.tx,
      { channelId: message.channelId, contactId: address.contactId, contactAddressId: address.id },
      () => resolveCampaign(uow.tx, message.channelId, to),
    );
    const { conversation } = opened;
    await uow.tx.update(messages).set({ conversationId: conversation.id }).where(eq(messages.id, message.id));
    const [touched] = await uow.tx
      .update(conversations)
      .set({ lastMessageAt: message.createdAt, lastContactMessageAt: message.createdAt })
      .where(eq(conversations.id, conversation.id))
      .returning();
    uow.emit(...(await messageEvents(uow.tx, [message.id], 'message.created')));
    if (touched!.status === 'bot') {
      // A conversation just opened brought its campaign row along; an older one reads it.
      const ownCampaign =
        opened.campaign !== undefined
          ? opened.campaign
          : touched!.campaignId === null
            ? null
            : ((await uow.tx.query.campaigns.findFirst({ where: eq(campaigns.id, touched!.campaignId) })) ?? null);
      await answerInbound(uow, touched!, ownCampaign);
    }
    uow.emit(...(await conversationEvents(uow.tx, [conversation.id])));
  });
}

/**
 * Processes the job's message and every later message of the same customer still waiting, in
 * arrival (id) order. key_strict_fifo runs one job per customer at a time, so nothing else touches
 * these rows meanwhile; a burst is answered in one pass and the later jobs find their work done.
 */
export async function drainCustomer(services: Services, messageId: number): Promise<void> {
  const first = await services.db.query.messages.findFirst({ where: eq(messages.id, messageId) });
  if (!first) return;
  await processInboundMessage(services, messageId);
  const pending = await services.db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.channelId, first.channelId),
        eq(messages.address, first.address),
        eq(messages.direction, 'inbound'),
        isNull(messages.conversationId),
        gt(messages.id, messageId),
      ),
    )
    .orderBy(asc(messages.id));
  for (const { id } of pending) await processInboundMessage(services, id);
}

export function handle(services: Services, logger: Logger) {
  return (jobs: JobWithMetadata<InboundJob>[]) =>
    runBatch(jobs, CONCURRENCY_PER_BATCH, async (job) => {
      try {
        await drainCustomer(services, job.data.messageId);
      } catch (error) {
        // Under key_strict_fifo a job that ends failed holds back this customer's later messages, so
        // the last attempt logs and lets go; the message stays stored and visible for a retry by hand.
        if (job.retryCount < job.retryLimit) throw error;
        logger.error({ err: error, messageId: job.data.messageId }, 'inbound message could not be processed');
      }
    });
}
