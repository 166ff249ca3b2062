import { and, eq } from 'drizzle-orm';
import { messages } from '../db/schema/index.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';
import type { StatusReport } from './inbound.ts';
import { messageEvents } from './message-events.ts';
import { nextMessageStatus } from './message-status.ts';

const STAMP = { sent: 'sentAt', delivered: 'deliveredAt', read: 'readAt', failed: 'failedAt' } as const;

/**
 * Moves outbound conversation messages on from provider delivery reports; stale or duplicate reports
 * change nothing. A status handler (see `gateway/status-job.ts`): answers the reports that match no
 * outbound message, for the next handler (a broadcast's spool row, perhaps).
 */
export async function applyMessageReports(uow: UnitOfWork, channelId: number, reports: readonly StatusReport[]): Promise<StatusReport[]> {
  const changed: number[] = [];
  const unmatched: StatusReport[] = [];
  for (const report of reports) {
    const [message] = await uow.tx
      .select()
      .from(messages)
      .where(and(eq(messages.channelId, channelId), eq(messages.providerMessageId, report.providerMessageId)))
      .for('update');
    if (!message || message.direction !== 'outbound') {
      unmatched.push(report);
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
  return unmatched;
}
