import { sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import type { MessageStatus } from '../db/schema/index.ts';
import { nextMessageStatus } from '../messages/message-status.ts';
import type { StatusReport } from '../messages/inbound.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';

/**
 * A delivery report for a broadcast message: the spool row a dialer on this channel sent with that
 * provider id moves its delivery status on (sent → delivered → read, or failed with the provider's
 * reason), by the same rules as conversation messages; its state stays SENT (it did leave). Answers
 * whether a row matched.
 */
export async function applySpoolReport(db: Executor, channelId: number, report: StatusReport): Promise<boolean> {
  const rows = (await db.execute(sql`
    select sp.id, sp.delivery_status from spool sp
     where sp.provider_message_id = ${report.providerMessageId}
       and sp.dialer_id in (select d.id from dialers d where d.channel_id = ${channelId})
     for update of sp`)) as unknown as { id: string; delivery_status: MessageStatus | null }[];
  if (rows.length === 0) return false;
  for (const row of rows) {
    const next = nextMessageStatus(row.delivery_status ?? 'sent', report.status);
    if (!next) continue;
    const error = next === 'failed' ? `${report.errorCode ?? 'failed'}: ${report.errorMessage ?? 'the provider reports it undelivered'}` : null;
    await db.execute(sql`
      update spool set delivery_status = ${next}, delivery_status_at = ${report.at.toISOString()}::timestamptz,
             error = coalesce(${error}, error)
       where id = ${row.id}`);
  }
  return true;
}

/** The dialer's status handler (see `gateway/status-job.ts`): the reports of broadcast rows; answers those that match none. */
export async function applySpoolReports(uow: UnitOfWork, channelId: number, reports: readonly StatusReport[]): Promise<StatusReport[]> {
  const unmatched: StatusReport[] = [];
  for (const report of reports) if (!(await applySpoolReport(uow.tx, channelId, report))) unmatched.push(report);
  return unmatched;
}
