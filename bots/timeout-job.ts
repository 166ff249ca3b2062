import { and, asc, eq, lte } from 'drizzle-orm';
import type { Queue, WorkOptions } from 'pg-boss';
import { campaigns, conversations } from '../db/schema/index.ts';
import { closeConversation } from '../routing/close-conversation.ts';
import { queueOutboundMessage } from '../conversations/queue-outbound-message.ts';
import { OutsideServiceWindowError } from '../gateway/service-window.ts';
import { QUEUES } from '../kernel/queues.ts';
import { inTransaction, type Services } from '../kernel/unit-of-work.ts';
import { readBotState } from './bot-turn.ts';
import { renderFlowTemplate } from './flow-template.ts';
import { flowFor } from './flow-store.ts';

export const queue = QUEUES.botTimeouts;
export const options: Omit<Queue, 'name'> = { policy: 'singleton', retryLimit: 2, retryDelay: 10 };
export const workOptions = { pollingIntervalSeconds: 10 } satisfies WorkOptions;
/** Every minute: inactivity is configured in minutes. */
export const schedule = { cron: '* * * * *', data: {} };

const BATCH = 50;

/**
 * Closes the bot conversations whose customer went quiet past the flow's inactivity limit, saying the
 * flow's timeout text first. The reason is `bot_timeout`, or `out_of_hours` when the customer was told
 * the campaign was closed. SKIP LOCKED: a conversation the bot is answering right now is left for the
 * next sweep (that turn moves its expiry anyway).
 */
export async function closeInactiveBotConversations(services: Services, now = new Date()): Promise<number> {
  let closed = 0;
  for (;;) {
    const done = await inTransaction(services, async (uow) => {
      const expired = await uow.tx
        .select()
        .from(conversations)
        .where(and(eq(conversations.status, 'bot'), lte(conversations.botExpiresAt, now)))
        .orderBy(asc(conversations.botExpiresAt))
        .limit(BATCH)
        .for('update', { skipLocked: true });
      for (const conversation of expired) {
        const campaign =
          conversation.campaignId === null ? undefined : await uow.tx.query.campaigns.findFirst({ where: eq(campaigns.id, conversation.campaignId) });
        const state = readBotState(conversation.botState);
        const text = campaign ? (await flowFor(uow.tx, campaign, state?.flowId ?? null)).flow.settings.timeoutText : undefined;
        if (text) {
          await queueOutboundMessage(uow, { conversation, authorType: 'bot', botNode: 'timeout', body: renderFlowTemplate(text, state?.vars ?? {}) }).catch(
            (error: unknown) => {
              if (!(error instanceof OutsideServiceWindowError)) throw error; // past WhatsApp's 24 hours: close without a word
            },
          );
        }
        await closeConversation(uow, conversation, { reason: conversation.outOfHoursNotifiedAt ? 'out_of_hours' : 'bot_timeout' });
      }
      return expired.length;
    });
    closed += done;
    if (done < BATCH) return closed;
  }
}

export function handle(services: Services) {
  return async () => {
    await closeInactiveBotConversations(services);
  };
}
