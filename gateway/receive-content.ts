import type { JobInsert } from 'pg-boss';
import { isConnectionLost } from '../db/connection-lost.ts';
import { storeInbound } from '../messages/store-inbound.ts';
import { QUEUES } from '../kernel/queues.ts';
import { inTransaction, type Services } from '../kernel/unit-of-work.ts';
import { storable } from '../kernel/storable-text.ts';
import type { WebhookContent } from './channel.ts';
import type { StatusJob } from './status-job.ts';

export type Received = { stored: number; duplicates: number; statuses: number };

type Pending = { channelId: number; content: WebhookContent; resolve: (result: Received) => void; reject: (error: unknown) => void };

/** At most this many deliveries share one transaction. */
const MAX_GROUP = 200;

/** Each process's group committer per set of services (the platform has one; tests may start several). */
const committers = new WeakMap<Services, (channelId: number, content: WebhookContent) => Promise<Received>>();

/**
 * Stores what a provider delivered: inbound messages once each (a duplicate is counted, not stored)
 * with their jobs, and delivery reports as a status job, committed before this resolves. Webhooks
 * and sessions both come through here, so a message is accepted the same way whatever carried it, and
 * this is the one place inbound content is made storable (no provider text is ever refused for its
 * characters).
 *
 * Deliveries arriving together share one transaction (group commit): while one commits, the next
 * ones gather and go in the following one, in one multi-row insert and one multi-job insert; alone,
 * a delivery is stored at once, with no added wait. Should a group fail, each of its deliveries is
 * tried again on its own, so one that cannot be stored never fails the others; with the database
 * away, all of them are answered at once (503) instead.
 */
export async function receiveContent(services: Services, channelId: number, delivered: WebhookContent): Promise<Received> {
  let commit = committers.get(services);
  if (!commit) {
    commit = groupCommitter(services);
    committers.set(services, commit);
  }
  return commit(channelId, storable(delivered));
}

function groupCommitter(services: Services) {
  let waiting: Pending[] = [];
  let busy = false;
  const next = async () => {
    while (waiting.length) {
      const group = waiting.slice(0, MAX_GROUP);
      waiting = waiting.slice(group.length);
      try {
        const results = await storeGroup(services, group);
        group.forEach((pending, index) => {
          pending.resolve(results[index]!);
        });
      } catch (error) {
        // The database is away: every delivery of the group gets its 503 now, none waits for a try of its own.
        if (group.length === 1 || isConnectionLost(error)) for (const pending of group) pending.reject(error);
        else
          for (const pending of group)
            await storeGroup(services, [pending]).then(
              ([result]) => pending.resolve(result!),
              (alone) => pending.reject(alone),
            );
      }
    }
    busy = false;
  };
  return (channelId: number, content: WebhookContent) =>
    new Promise<Received>((resolve, reject) => {
      waiting.push({ channelId, content, resolve, reject });
      if (busy) return;
      busy = true;
      void next();
    });
}

/** One transaction for a group of deliveries; answers each one's own counts, in order. */
async function storeGroup(services: Services, group: readonly Pending[]): Promise<Received[]> {
  return inTransaction(services, async (uow) => {
    const stored = await storeInbound(
      uow,
      group.flatMap((pending) => pending.content.messages),
    );
    const statusJobs: JobInsert[] = group
      .filter((pending) => pending.content.statuses.length > 0)
      .map((pending) => ({
        data: {
          channelId: pending.channelId,
          reports: pending.content.statuses.map((report) => ({ ...report, at: report.at.toISOString() })),
        } satisfies StatusJob,
      }));
    await uow.enqueueMany(QUEUES.gatewayStatus, statusJobs);
    // Each stored row counts for the first delivery that carried it (a provider retrying while the
    // first try is in the same group carries it twice: the second is the duplicate).
    const storedKeys = new Set(stored.stored.map((row) => `${row.channelId}\u0000${row.providerMessageId}`));
    return group.map((pending) => {
      let count = 0;
      for (const message of pending.content.messages) {
        const key = `${message.channelId}\u0000${message.providerMessageId}`;
        if (storedKeys.delete(key)) count++;
      }
      return { stored: count, duplicates: pending.content.messages.length - count, statuses: pending.content.statuses.length };
    });
  });
}
