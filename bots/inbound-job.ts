import { and, asc, eq, isNull, or } from 'drizzle-orm';
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

/** The message, and its customer (absent from jobs queued before it was added). */
export type InboundJob = { messageId: number; channelId?: number; address?: string };

type MessageRow = typeof messages.$inferSelect;

/**
 * Attaches a stored inbound message to its contact's open conversation (opening one with the bot if
 * needed), handles opt-out keywords, and, if the conversation is the bot's, plays the bot's turn, all
 * in one transaction: the message, its answer and the console's events commit together. A flow that
 * calls out over HTTP on the way plays its turn after commit instead (`playBotTurn`: no outside call
 * while rows are locked). A retried job whose message is attached already still lets the bot answer
 * it if it had not (a crash between the two).
 */
export async function processInboundMessage(services: BotServices, waiting: number | MessageRow): Promise<void> {
  const botTurn = await inTransaction(services, async (uow) => {
    // A row the drain read already (not locked): attaching it below is guarded, so a message another
    // job attached meanwhile is taken as attached. An id is read here, locked.
    const [message] = typeof waiting === 'number' ? await uow.tx.select().from(messages).where(eq(messages.id, waiting)).for('update') : [waiting];
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
    const [attached] = await uow.tx
      .update(messages)
      .set({ conversationId: conversation.id })
      .where(and(eq(messages.id, message.id), isNull(messages.conversationId)))
      .returning();
    if (!attached) {
      // Attached by another job meanwhile (one that expired mid-drain): as for a retried job.
      const [current] = await uow.tx.select().from(messages).where(eq(messages.id, message.id));
      return current?.conversationId ? { conversationId: current.conversationId, message: current } : null;
    }
    const [touched] = await uow.tx
      .update(conversations)
      .set({ lastMessageAt: message.createdAt, lastContactMessageAt: message.createdAt })
      .where(eq(conversations.id, conversation.id))
      .returning();
    uow.emit(...presentedMessageEvents([presentMessageRow(attached, touched!, null)], 'message.created'));
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
export async function drainCustomer(services: BotServices, messageId: number, customer?: { channelId: number; address: string }): Promise<void> {
  const key = customer ?? (await services.db.query.messages.findFirst({ where: eq(messages.id, messageId), columns: { channelId: true, address: true } }));
  if (!key) return;
  // The customer's messages waiting to be attached, and the job's own (attached already if this is a retry).
  const rows = await services.db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.channelId, key.channelId),
        eq(messages.address, key.address),
        eq(messages.direction, 'inbound'),
        or(isNull(messages.conversationId), eq(messages.id, messageId)),
      ),
    )
    .orderBy(asc(messages.id));
  const own = rows.find((row) => row.id === messageId);
  if (!own) return;
  const unanswered = own.conversationId === null ? [] : await unansweredMessages(services.db, own.conversationId, messageId);
  const waiting = new Map<number, number | MessageRow>(rows.filter((row) => row.conversationId === null).map((row) => [row.id, row]));
  for (const id of [...unanswered, messageId]) if (!waiting.has(id)) waiting.set(id, id);
  for (const id of [...waiting.keys()].sort((a, b) => a - b)) await processInboundMessage(services, waiting.get(id)!);
}

export function handle(services: BotServices, logger: Logger) {
  return (jobs: JobWithMetadata<InboundJob>[]) =>
    runBatch(jobs, CONCURRENCY_PER_BATCH, (job) =>
      // The message stays stored and visible, for a retry by hand, if its last attempt fails too.
      runFifoJob(job, logger, { context: { messageId: job.data.messageId }, gaveUp: 'inbound message could not be processed' }, () =>
        drainCustomer(
          services,
          job.data.messageId,
          job.data.channelId !== undefined && job.data.address !== undefined ? { channelId: job.data.channelId, address: job.data.address } : undefined,
        ),
      ),
    );
}
