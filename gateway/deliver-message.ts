import { setTimeout } from 'node:timers/promises';
import { and, desc, eq, sql } from 'drizzle-orm';
import { messages } from '../db/schema/index.ts';
import { changeAndPresentMessages, presentedMessageEvents } from '../messages/message-events.ts';
import { plainText } from '../messages/outbound-content.ts';
import type { Logger } from '../kernel/logger.ts';
import { inTransaction, type Services } from '../kernel/unit-of-work.ts';
import type { Channel, ChannelRow, SendResult } from './channel.ts';
import { CHANNEL_SCHEMAS } from './channel-schemas.ts';
import type { SendPacing } from './send-pacing.ts';

export type MessageRow = typeof messages.$inferSelect;

/** Where a customer's messages go this time: a channel's adapter, or why none can take them now. */
export type SendRoute = { channel: ChannelRow; adapter: Channel } | { refusal: Extract<SendResult, { ok: false }> };

/** A message moved on (stored `sent` or `failed`), or left `queued` for a later try, and why. */
export type Delivery = { done: true } | { done: false; reason: string };

export type DeliverServices = Services & { logger: Logger; pacing: SendPacing };

/**
 * Typing indicators fade on their own (WhatsApp Cloud API after 25 s, WhatsApp Web after 10–25 s),
 * and the customer's later messages wait meanwhile: a longer delay is cut to this.
 */
export const MAX_TYPING_DELAY_MS = 25_000;
/** A typing call that hangs (a stuck browser) must not hold the send. */
const TYPING_CALL_TIMEOUT_MS = 5_000;

/** Messages this process is handing to a provider now: a duplicate job for one of them stands back. */
const inFlight = new Set<number>();

/**
 * Hands one queued message to its channel and stores the outcome. A provider refusal is stored as
 * `failed` with the provider's code and text; a retryable failure leaves the message `queued` (the
 * caller retries) unless `giveUp`, when it is stored `failed` too. Every send waits for the channel's
 * next slot, shared by all nodes (the caller has waited out any typing delay: `typingDue`).
 */
export async function deliverMessage(services: DeliverServices, message: MessageRow, route: SendRoute, giveUp: boolean): Promise<Delivery> {
  // Another job has it in hand (a retry of a job that expired mid-send): it stores the outcome.
  if (inFlight.has(message.id)) return { done: false, reason: `message ${message.id} is being sent by another job` };
  inFlight.add(message.id);
  try {
    const result = 'refusal' in route ? route.refusal : await handOver(services, message, route);
    if (!result.ok && result.retryable && !giveUp) return { done: false, reason: `${result.errorCode}: ${result.errorMessage}` };
    await record(services, message.id, result);
    return { done: true };
  } finally {
    inFlight.delete(message.id);
  }
}

/** The typing delay a message was queued with (metadata.typingDelayMs), capped; 0 without one. */
export function typingDelayOf(message: Pick<MessageRow, 'metadata'>): number {
  const value = message.metadata.typingDelayMs;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(Math.round(value), MAX_TYPING_DELAY_MS) : 0;
}

async function handOver(services: DeliverServices, message: MessageRow, { channel, adapter }: Extract<SendRoute, { adapter: Channel }>): Promise<SendResult> {
  // Paced right before the send (after any typing delay), so the rate holds for the sends themselves.
  const perSecond = channel.sendsPerSecond ?? CHANNEL_SCHEMAS[channel.type]?.defaultSendsPerSecond;
  if (perSecond) await services.pacing.forChannel(channel.id, perSecond).take();
  return adapter
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

/** A queued message as a send job reads it: with how long its typing delay has still to run, once started (database clock). */
export type QueuedMessage = MessageRow & { typingLeftMs: number | null };

/** `typingLeftMs` of a selected message: from metadata.sendAfter, by the database's clock (every node agrees). */
export const typingLeftMs = sql<string | null>`case when ${messages.metadata} ? 'sendAfter'
  then extract(epoch from ((${messages.metadata}->>'sendAfter')::timestamptz - clock_timestamp())) * 1000 end`;

/**
 * How long a message with a typing delay must still wait, if at all: the first time it is met,
 * "typing…" is shown (where the channel can) and the time it may go recorded on the message
 * (metadata.sendAfter, database clock), so a retry or another job never shows it twice or shortens
 * the delay. Null when the message may go now.
 */
export async function typingDue(services: DeliverServices, message: QueuedMessage, adapter: Channel): Promise<number | null> {
  const delayMs = typingDelayOf(message);
  if (delayMs === 0) return null;
  if (message.typingLeftMs !== null) return message.typingLeftMs > 0 ? message.typingLeftMs : null;
  if (adapter.typing) await showTyping(services, adapter, message);
  await services.db
    .update(messages)
    .set({
      metadata: sql`${messages.metadata} || jsonb_build_object('sendAfter', clock_timestamp() + make_interval(secs => ${delayMs / 1000}::double precision))`,
    })
    .where(and(eq(messages.id, message.id), eq(messages.status, 'queued')));
  return delayMs;
}

/** Best effort: a typing indicator that fails or hangs is logged and the send goes on. */
async function showTyping(services: DeliverServices, adapter: Channel, message: MessageRow): Promise<void> {
  const timeout = new AbortController();
  try {
    const replyToProviderMessageId = await latestInboundProviderId(services, message.conversationId);
    await Promise.race([
      adapter.typing!(message.address, { replyToProviderMessageId }),
      setTimeout(TYPING_CALL_TIMEOUT_MS, undefined, { signal: timeout.signal }).then(() => {
        throw new Error(`no answer within ${TYPING_CALL_TIMEOUT_MS} ms`);
      }),
    ]);
  } catch (error) {
    services.logger.debug({ err: error, messageId: message.id, channelId: message.channelId }, 'typing indicator not shown');
  } finally {
    timeout.abort();
  }
}

/** The provider id of the customer's latest message in the conversation (the Cloud API types "in reply" to it). */
async function latestInboundProviderId(services: Services, conversationId: number | null): Promise<string | undefined> {
  if (conversationId === null) return undefined;
  const [latest] = await services.db
    .select({ providerMessageId: messages.providerMessageId })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'inbound')))
    .orderBy(desc(messages.id))
    .limit(1);
  return latest?.providerMessageId ?? undefined;
}

async function record(services: Services, messageId: number, result: SendResult): Promise<void> {
  await inTransaction(services, async (uow) => {
    const now = new Date().toISOString();
    const outcome = result.ok
      ? sql`status = 'sent', provider_message_id = ${result.providerMessageId}, sent_at = ${now}::timestamptz`
      : sql`status = 'failed', error_code = ${result.errorCode}, error_message = ${result.errorMessage}, failed_at = ${now}::timestamptz`;
    // Only from `queued`: never overwrite what a delivery report or another attempt already wrote.
    const changed = await changeAndPresentMessages(uow.tx, sql`update messages set ${outcome} where id = ${messageId} and status = 'queued' returning *`);
    uow.emit(...presentedMessageEvents(changed, 'message.updated'));
  });
}
