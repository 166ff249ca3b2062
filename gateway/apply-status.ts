import { and, eq } from 'drizzle-orm';
import { messages } from '../db/schema/index.ts';
import { nextMessageStatus } from '../conversations/message-status.ts';
import { messageEvents } from '../conversations/conversation-events.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';
import type { StatusReport } from './channel.ts';
import { applySpoolReport } from '../dialer/spool-delivery.ts';

const STAMP = { sent: 'sentAt', delivered: 'deliveredAt', read: 'readAt', failed: 'failedAt' } as const;

/**
 * Moves outbound messages on from provider delivery reports; stale or duplicate reports change
 * nothing. Returns the provider ids that match no outbound message (yet).
 */
export async function applyStatusReports(
  uow: UnitOfWork,
  channelId: number,
  reports: readonly StatusReport[],
): Promise<{ changed: number; unmatched: string[] }> {
  const changed: number[] = [];
  const unmatched: string[] = [];
  for (const report of reports) {
    const [message] = await uow.tx
      .select()
      .from(messages)
      .where(and(eq(messages.channelId, channelId), eq(messages.providerMessageId, report.providerMessageId)))
      .for('update');
    if (!message || message.direction !== 'outbound') {
      // Not a conversation message: perhaps a broadcast's (the dialer sends from the spool).
      if (!(await applySpoolReport(uow.tx, channelId, report))) unmatched.push(report.providerMessageId);
      continue;
    }
    const next = nextMessageStatus(message.status, report.status);
    if (!next) continue;
    await uow.tx
      .update(messages)
      .set({
        status: next,
        [STAMP[report.status]]: report.at,
        ...(next === 'failed' ? { errorCode: report.errorCode ?? null, errorMessage: report.errorMessage ?? null } : {}),
      })
      .where(eq(messages.id, message.id));
    changed.push(message.id);
  }
  uow.emit(...(await messageEvents(uow.tx, changed, 'message.updated')));
  return { changed: changed.length, unmatched };
}
