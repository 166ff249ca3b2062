import { eq } from 'drizzle-orm';
import type { JobWithMetadata, Queue, WorkOptions } from 'pg-boss';
import { conversations } from '../db/schema/index.ts';
import { emitConversations } from '../conversations/conversation-events.ts';
import { BATCH_WORK, runBatch } from '../kernel/job-batch.ts';
import { QUEUES } from '../kernel/queues.ts';
import { rooms } from '../kernel/realtime.ts';
import { inTransaction, type Services } from '../kernel/unit-of-work.ts';
import { heldAssignment } from './answer-timeout-job.ts';
import type { AssignmentTimer } from './assignment-timers.ts';

export const queue = QUEUES.routingChatTime;
export const options: Omit<Queue, 'name'> = { policy: 'standard', retryLimit: 5, retryDelay: 2, notify: true };
export const workOptions = { ...BATCH_WORK, batchSize: 20 } satisfies WorkOptions;

/** The chat reached its campaign's chat time with the same agent: flag it to that agent and the supervisors. */
export async function flagChatTime(services: Services, timer: AssignmentTimer): Promise<boolean> {
  return inTransaction(services, async (uow) => {
    const held = await heldAssignment(uow, timer);
    if (!held || held.conversation.chatTimeExceededAt) return false;
    await uow.tx.update(conversations).set({ chatTimeExceededAt: new Date() }).where(eq(conversations.id, timer.conversationId));
    uow.emit({
      rooms: [rooms.user(held.assignment.userId), rooms.campaign(held.assignment.campaignId)],
      event: 'conversation.flagged',
      payload: { conversationId: timer.conversationId, flag: 'chat_time' },
    });
    emitConversations(uow, [timer.conversationId]);
    return true;
  });
}

export function handle(services: Services) {
  return (jobs: JobWithMetadata<AssignmentTimer>[]) => runBatch(jobs, 5, async (job) => void (await flagChatTime(services, job.data)));
}
