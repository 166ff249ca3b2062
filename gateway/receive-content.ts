import { storeInbound } from '../messages/store-inbound.ts';
import { QUEUES } from '../kernel/queues.ts';
import { inTransaction, type Services } from '../kernel/unit-of-work.ts';
import { storable } from '../kernel/storable-text.ts';
import type { WebhookContent } from './channel.ts';
import type { StatusJob } from './status-job.ts';

/**
 * Stores what a provider delivered, in one transaction: inbound messages once each (a duplicate is
 * counted, not stored) with their jobs, and delivery reports as a status job. Webhooks and sessions
 * both come through here, so a message is accepted the same way whatever carried it, and this is the
 * one place inbound content is made storable (no provider text is ever refused for its characters).
 */
export async function receiveContent(services: Services, channelId: number, delivered: WebhookContent) {
  const content = storable(delivered);
  return inTransaction(services, async (uow) => {
    const stored = await storeInbound(uow, content.messages);
    if (content.statuses.length > 0) {
      const job: StatusJob = { channelId, reports: content.statuses.map((report) => ({ ...report, at: report.at.toISOString() })) };
      await uow.enqueue(QUEUES.gatewayStatus, job);
    }
    return { stored: stored.stored.length, duplicates: stored.duplicates, statuses: content.statuses.length };
  });
}
