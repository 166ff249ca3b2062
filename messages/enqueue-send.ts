import type { PgBoss } from 'pg-boss';
import { customerKey } from './store-inbound.ts';
import { QUEUES } from '../kernel/queues.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';

/** The stored outbound message a send job names, and the customer whose FIFO it joins. */
export type SendTarget = { id: number; channelId: number; address: string };

/** A send job's payload. */
export type SendJob = { messageId: number };

/** The FIFO key of a send: the customer on the channel, as for inbound messages. */
export const sendKey = (message: Pick<SendTarget, 'channelId' | 'address'>) => customerKey(message.channelId, message.address);

/**
 * Queues the send of a stored `queued` outbound message in the caller's transaction (the outbox):
 * on its customer's strict-FIFO key, so it never overtakes or runs beside that customer's others.
 */
export async function enqueueSend(uow: UnitOfWork, message: SendTarget): Promise<void> {
  await uow.enqueue(QUEUES.gatewayOutbound, { messageId: message.id } satisfies SendJob, { singletonKey: sendKey(message) });
}

/**
 * The same outside a transaction, on any send queue (a session channel's own queue, or the next
 * message handed on to its customer's queue); `afterMs` schedules it for later (database clock).
 */
export async function enqueueSendOn(boss: PgBoss, queue: string, message: SendTarget, options: { afterMs?: number } = {}): Promise<void> {
  await boss.send(queue, { messageId: message.id } satisfies SendJob, {
    singletonKey: sendKey(message),
    // A number of seconds, fractions kept: pg-boss adds it to the database's clock.
    ...(options.afterMs ? { startAfter: options.afterMs / 1000 } : {}),
  });
}
