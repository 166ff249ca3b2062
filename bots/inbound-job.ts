import { and, asc, eq, isNull } from 'drizzle-orm';
import type { JobWithMetadata, Queue, WorkOptions } from 'pg-boss';
import { markHandled, playBotTurn, playBotTurnHere, unansweredMessages, type BotServices } from './bot-turn.ts';
import type { TurnInput } from './flow-engine.ts';
import { handleKeyword } from './opt-out.ts';
import { campaigns, conversations, messages } from '../db/schema/index.ts';
import { resolveCampaign } from '../routing/resolve-campaign.ts';
import { QUEUES } from '../kernel/queues.ts';
import { BATCH_WORK, runBatch } from '../kernel/job-batch.ts';
import { inTransaction } from '../kernel/unit-of-work.ts';
import type { Logger } from '../kernel/logger.ts';
import { emitConversations } from '../conversations/conversation-events.ts';
import { presentedMessageEvents, presentMessageRow } from '../messages/message-events.ts';
import { findOrCreateContactAddress, findOrOpenConversation } from '../conversations/open-conversation.ts';
import { runFifoJob } from '../kernel/job-queue.ts';

export const queue = QUEUES.conversationInbound;
/** Strict FIFO per customer (singletonKey = channel:address): one conversation's messages never overtake. */
export const options: Omit<Queue, 'name'> = { policy: 'key_strict_fifo', retryLimit: 5, retryDelay: 1, retryBackoff: true, notify: true };
/** A batch holds at most one job per customer (key_strict_fifo), so its jobs run side by side. */
export const workOptions = { ...BATCH_WORK, batchSize: 10, localConcurrency: 2 } satisfies WorkOptions;
const CONCURRENCY_PER_BATCH = 5;

export type InboundJob = { messageId: number };

/**
 * Attaches a stored inbound message to its contact's open conversation (opening one with the bot if
 * needed), handles opt-out keywords, and, if the conversation is the bot's, plays the bot's turn, all
 * in one transaction: the message, its answer and the console's events commit together. A flow that
 * calls out over HTTP on the way plays its turn after commit instead (`playBotTurn`: no outside call
 * while rows are locked). A retried job whose message is attached already still lets the bot answer
 * it if it had not (a crash between the two).
 */
export async function processInboundMessage(services: BotServices, messageId: number): Promise<void> {
  const botTurn = await inTransaction(services, async (uow) => {
    const [message] = await uow.tx.select().from(messages).where(eq(messages.id, messageId)).for('update');
    if (!message) return null;
    if (message.conversationId !== null) return { conversationId: message.conversationId, message }; // a retried job
    const address = await findOrCreateContactAddress(uow.tx, {
      channelId: message.channelId,
      address: message.address,
      profileName: (message.metadata.profileName as string | undefined) ?? null,
    });
    const to = (message.metadata.to as string | null | undefined) ?? null;
    const opened = await findOrOpenConversation(uow.tx, { channelId: message.channelId, contactId: address.contactId, contactAddressId: address.id }, () =>
      resolveCampaign(uow.tx, message.channelId, to),
    );
    const { conversation } = opened;
    const [attached] = await uow.tx.update(messages).set({ conversationId: conversation.id }).where(eq(messages.id, message.id)).returning();
    const [touched] = await uow.tx
      .update(conversations)
      .set({ lastMessageAt: message.createdAt, lastContactMessageAt: message.createdAt })
      .where(eq(conversations.id, conversation.id))
      .returning();
    uow.emit(...presentedMessageEvents([presentMessageRow(attached!, touched!, null)], 'message.created'));
    // A conversation just opened brought its campaign row along; an older one reads it.
    const campaign =
      opened.campaign !== undefined
        ? opened.campaign
        : touched!.campaignId === null
          ? null
          : ((await uow.tx.query.campaigns.findFirst({ where: eq(campaigns.id, touched!.campaignId) })) ?? null);
    const keyword = await handleKeyword(uow, touched!, campaign, message.address, message.body);
    if (keyword) await markHandled(uow, touched!, message.id);
    emitConversations(uow, [conversation.id]);
    if (keyword || touched!.status !== 'bot' || !campaign) return null;
    // The bot answers in this same transaction unless its flow calls out over HTTP on the way.
    return (await playBotTurnHere(uow, services, touched!, campaign, turnInput(message))) ? null : { conversationId: conversation.id, message };
  });
  if (!botTurn) return;
  await playBotTurn(services, botTurn.conversationId, turnInput(botTurn.message));
}

/** The bot's input for a customer's message. */
function turnInput(message: typeof messages.$inferSelect): TurnInput & { messageId: number } {
  const replyId = message.metadata.replyId;
  return { type: 'message', text: message.body, ...(typeof replyId === 'string' ? { replyId } : {}), messageId: message.id };
}

/**
 * Processes every message of the job's customer still waiting, the job's own included, in arrival
 * (id) order. key_strict_fifo runs one job per customer at a time, so nothing else touches these rows
 * meanwhile; a burst is answered in one pass and the later jobs find their work done. Jobs enqueued in
 * one transaction may start in any order (equal creation times, random ids), which is why the order
 * comes from the message ids and not from the job. Waiting also means attached but not answered by
 * the bot: an earlier attempt of this drain attached them and died before their turn (the database
 * restarting, the process killed); answered after the later messages, they would never be, as the
 * bot answers a message once and in order.
 */
export async function drainCustomer(services: BotServices, messageId: number): Promise<void> {
  const job = await services.db.query.messages.findFirst({ where: eq(messages.id, messageId) });
  if (!job) return;
  const pending = await services.db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.channelId, job.channelId), eq(messages.address, job.address), eq(messages.direction, 'inbound'), isNull(messages.conversationId)))
    .orderBy(asc(messages.id));
  const unanswered = job.conversationId === null ? [] : await unansweredMessages(services.db, job.conversationId, messageId);
  const ids = [...new Set([...pending.map((row) => row.id), ...unanswered, messageId])].sort((a, b) => a - b);
  for (const id of ids) await processInboundMessage(services, id);
}

export function handle(services: BotServices, logger: Logger) {
  return (jobs: JobWithMetadata<InboundJob>[]) =>
    runBatch(jobs, CONCURRENCY_PER_BATCH, (job) =>
      // The message stays stored and visible, for a retry by hand, if its last attempt fails too.
      runFifoJob(job, logger, { context: { messageId: job.data.messageId }, gaveUp: 'inbound message could not be processed' }, () =>
        drainCustomer(services, job.data.messageId),
      ),
    );
}
