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
 * Stores inbound messages once and enqueues their processing in the same transaction, in two
 * statements whatever their number: one multi-row insert and one multi-job insert. A duplicate (same
 * channel and provider id, e.g. a webhook retried by the provider, or twice in one batch) hits the
 * unique constraint and is skipped: no second row, no second job. Rows are inserted in the given
 * order, so a customer's messages get ids in arrival order. Answers the ids stored, in that order.
 */
export async function storeInbound(uow: UnitOfWork, inbound: readonly InboundMessage[]): Promise<{ stored: StoredInbound[]; duplicates: number }> {
  if (inbound.length === 0) return { stored: [], duplicates: 0 };
  const rows = await uow.tx
    .insert(messages)
    .values(
      inbound.map((message) => ({
        channelId: message.channelId,
        direction: 'inbound' as const,
        authorType: 'contact' as const,
        address: message.from,
        body: message.text,
        ...smsMeasure(message.text),
        media: message.media,
        providerMessageId: message.providerMessageId,
        providerTimestamp: message.timestamp,
        status: 'received' as const,
        metadata: { ...message.metadata, to: message.to, profileName: message.profileName },
      })),
    )
    .onConflictDoNothing({ target: [messages.channelId, messages.providerMessageId] })
    .returning({ id: messages.id, channelId: messages.channelId, address: messages.address, providerMessageId: messages.providerMessageId });
  const stored = rows.sort((a, b) => a.id - b.id);
  await uow.enqueueMany(
    QUEUES.conversationInbound,
    stored.map((row) => ({
      data: { messageId: row.id, channelId: row.channelId, address: row.address },
      singletonKey: customerKey(row.channelId, row.address),
    })),
  );
  return { stored, duplicates: inbound.length - stored.length };
}

/** A message stored by `storeInbound`: its id and what says whose it is. */
export type StoredInbound = { id: number; channelId: number; address: string; providerMessageId: string | null };
