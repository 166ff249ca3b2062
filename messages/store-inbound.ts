import { messages } from '../db/schema/index.ts';
import type { InboundMessage } from './inbound.ts';
import { QUEUES } from '../kernel/queues.ts';
import { smsMeasure } from './sms-encoding.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';

/** The FIFO key of one customer on one channel: their messages are processed strictly in order. */
export function customerKey(channelId: number, address: string): string {
  return `${channelId}:${address}`;
}

/**
 * Stores inbound messages once and enqueues their processing in the same transaction. A duplicate
 * (same channel and provider id, e.g. a webhook retried by the provider) hits the unique constraint
 * and is skipped: no second row, no second job.
 */
export async function storeInbound(uow: UnitOfWork, inbound: readonly InboundMessage[]): Promise<{ stored: number[]; duplicates: number }> {
  const stored: number[] = [];
  for (const message of inbound) {
    const [row] = await uow.tx
      .insert(messages)
      .values({
        channelId: message.channelId,
        direction: 'inbound',
        authorType: 'contact',
        address: message.from,
        body: message.text,
        ...smsMeasure(message.text),
        media: message.media,
        providerMessageId: message.providerMessageId,
        providerTimestamp: message.timestamp,
        status: 'received',
        metadata: { ...message.metadata, to: message.to, profileName: message.profileName },
      })
      .onConflictDoNothing({ target: [messages.channelId, messages.providerMessageId] })
      .returning({ id: messages.id });
    if (!row) continue;
    stored.push(row.id);
    await uow.enqueue(QUEUES.conversationInbound, { messageId: row.id }, { singletonKey: customerKey(message.channelId, message.from) });
  }
  return { stored, duplicates: inbound.length - stored.length };
}
