import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { channels, contactAddresses, conversations, messages, type AuthorType, type ChannelType, type OutboundContent } from '../db/schema/index.ts';
import { plainText } from '../messages/outbound-content.ts';
import { enqueueSend } from '../messages/enqueue-send.ts';
import { assertFreeFormAllowed } from '../gateway/service-window.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';
import { emitConversations } from './conversation-events.ts';
import { messageEvents, presentedMessageEvents, presentMessageRow } from '../messages/message-events.ts';
import type { ConversationRow } from './open-conversation.ts';
import { smsMeasure } from '../messages/sms-encoding.ts';

export type OutboundInput = {
  conversation: ConversationRow;
  authorType: Exclude<AuthorType, 'contact'>;
  authorUserId?: number;
  botNode?: string;
  body: string;
  /** A template, reply buttons or a list; the body stays the text shown in transcripts. */
  content?: OutboundContent;
  /** Milliseconds of "typing…" (where the channel shows it) before the send; kept in the row's metadata. */
  typingDelayMs?: number;
  /** The customer's address and the channel's type, when the caller has read them already (saves two look-ups). */
  route?: { address: string; channelType: ChannelType };
  /** False when the caller updates the conversation itself in this transaction and sets `lastMessageAt` there. */
  touchConversation?: boolean;
};

/**
 * The transactional outbox: the message row (status `queued`) and its send job commit together, so
 * an accepted message is never lost and never sent without a record. The job joins the customer's
 * FIFO, so messages queued one after the other reach the customer in that order.
 */
export async function queueOutboundMessage(uow: UnitOfWork, input: OutboundInput): Promise<typeof messages.$inferSelect> {
  const { conversation } = input;
  assert(input.typingDelayMs === undefined || (Number.isFinite(input.typingDelayMs) && input.typingDelayMs >= 0), 'typingDelayMs is a number of milliseconds');
  const { address, channelType } = input.route ?? (await routeOf(uow, conversation));
  // An approved template is how WhatsApp lets a business write again after the 24-hour window.
  if (input.content?.type !== 'template') assertFreeFormAllowed(channelType, conversation.lastContactMessageAt);
  const now = new Date();
  const [message] = await uow.tx
    .insert(messages)
    .values({
      conversationId: conversation.id,
      channelId: conversation.channelId,
      direction: 'outbound',
      authorType: input.authorType,
      authorUserId: input.authorUserId ?? null,
      botNode: input.botNode ?? null,
      address,
      body: input.body,
      content: input.content ?? null,
      ...smsMeasure(plainText(input.body, input.content)),
      status: 'queued',
      ...(input.typingDelayMs ? { metadata: { typingDelayMs: Math.round(input.typingDelayMs) } } : {}),
      createdAt: now,
    })
    .returning();
  if (input.touchConversation !== false)
    await uow.tx
      .update(conversations)
      .set({
        lastMessageAt: now,
        ...(input.authorType === 'agent' && !conversation.firstAgentReplyAt ? { firstAgentReplyAt: now } : {}),
      })
      .where(eq(conversations.id, conversation.id));
  await enqueueSend(uow, message!); // retries: the queue's own options
  // Presented from the inserted row; only an agent's name needs a look-up.
  uow.emit(
    ...(input.authorType === 'agent'
      ? await messageEvents(uow.tx, [message!.id], 'message.created')
      : presentedMessageEvents([presentMessageRow(message!, conversation, null)], 'message.created')),
  );
  // The inbox shows the last message: refresh the summary too.
  emitConversations(uow, [conversation.id]);
  return message!;
}

/** The customer's address and the channel's type of a conversation. */
async function routeOf(uow: UnitOfWork, conversation: ConversationRow): Promise<{ address: string; channelType: ChannelType }> {
  const [row] = await uow.tx
    .select({ address: contactAddresses.address, channelType: channels.type })
    .from(contactAddresses)
    .innerJoin(channels, eq(channels.id, conversation.channelId))
    .where(eq(contactAddresses.id, conversation.contactAddressId));
  if (!row) throw new Error(`conversation ${conversation.id} has no contact address`);
  return row;
}
