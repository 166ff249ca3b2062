import type { campaigns } from '../db/schema/index.ts';
import { QUEUES } from '../kernel/queues.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';

/** Names one assignment: a timer fires only if the agent still holds the conversation from that assignment. */
export type AssignmentTimer = { conversationId: number; assignmentId: number };

/**
 * Starts the clocks of a new assignment as delayed jobs in the same transaction, so they survive a
 * restart: the chat-time flag always, the answer timeout when the campaign has one.
 */
export async function scheduleAssignmentTimers(
  uow: UnitOfWork,
  timer: AssignmentTimer,
  campaign: Pick<typeof campaigns.$inferSelect, 'chatTimeSeconds' | 'agentAnswerTimeoutSeconds'>,
): Promise<void> {
  await uow.enqueue(QUEUES.routingChatTime, timer, { startAfter: campaign.chatTimeSeconds });
  if (campaign.agentAnswerTimeoutSeconds !== null) {
    await uow.enqueue(QUEUES.routingAnswerTimeout, timer, { startAfter: campaign.agentAnswerTimeoutSeconds });
  }
}
