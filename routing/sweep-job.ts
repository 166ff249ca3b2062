import { sql } from 'drizzle-orm';
import type { Queue, WorkOptions } from 'pg-boss';
import type { ConversationRow } from '../conversations/open-conversation.ts';
import { closeConversation } from './close-conversation.ts';
import { CHANNEL_SCHEMAS } from '../gateway/channel-schemas.ts';
import { SERVICE_WINDOW_MS } from '../gateway/whatsapp-cloud/cloud-api-settings.ts';
import { QUEUES } from '../kernel/queues.ts';
import { inTransaction, type Services } from '../kernel/unit-of-work.ts';

export const queue = QUEUES.routingSweep;
export const options: Omit<Queue, 'name'> = { policy: 'singleton', retryLimit: 2, retryDelay: 10 };
export const workOptions = { pollingIntervalSeconds: 10 } satisfies WorkOptions;
export const schedule = { cron: '* * * * *', data: {} };

const BATCH = 100;
const WINDOW_TYPES = Object.entries(CHANNEL_SCHEMAS)
  .filter(([, schema]) => schema.customerServiceWindow)
  .map(([type]) => type);

/**
 * A customer waiting on a WhatsApp channel whose 24-hour window has closed can no longer be answered
 * (only a template could reach them): they have left, and the conversation closes as `abandoned`.
 * Whether it counts as abandoned in the figures depends on the churn threshold (see campaign-metrics).
 */
export async function closeUnreachableWaiting(services: Services, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - SERVICE_WINDOW_MS);
  let closed = 0;
  for (;;) {
    const done = await inTransaction(services, async (uow) => {
      const rows = (await uow.tx.execute(sql`
        select c.id from conversations c join channels ch on ch.id = c.channel_id
         where c.status = 'queued' and ch.type in ${WINDOW_TYPES}
           and coalesce(c.last_contact_message_at, c.opened_at) < ${cutoff.toISOString()}::timestamptz
         order by c.id limit ${BATCH}
         for update of c skip locked`)) as unknown as { id: number }[];
      for (const { id } of rows) {
        const conversation = (await uow.tx.query.conversations.findFirst({ where: (c, { eq }) => eq(c.id, Number(id)) })) as ConversationRow;
        await closeConversation(uow, conversation, { reason: 'abandoned' });
      }
      return rows.length;
    });
    closed += done;
    if (done < BATCH) return closed;
  }
}

export function handle(services: Services) {
  return async () => {
    await closeUnreachableWaiting(services);
  };
}
