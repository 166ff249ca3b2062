import { and, eq, gte, isNull, sql } from 'drizzle-orm';
import type { JobWithMetadata, Queue, WorkOptions } from 'pg-boss';
import { conversationAssignments, conversations, messages } from '../db/schema/index.ts';
import { BATCH_WORK, runBatch } from '../kernel/job-batch.ts';
import { QUEUES } from '../kernel/queues.ts';
import { inTransaction, type Services, type UnitOfWork } from '../kernel/unit-of-work.ts';
import type { AssignmentTimer } from './assignment-timers.ts';
import { requeueConversation } from './requeue-conversation.ts';

export const queue = QUEUES.routingAnswerTimeout;
export const options: Omit<Queue, 'name'> = { policy: 'standard', retryLimit: 5, retryDelay: 2, notify: true };
export const workOptions = { ...BATCH_WORK, batchSize: 20 } satisfies WorkOptions;

/** The assignment a timer names, if the agent still holds the conversation from it (locked). */
export async function heldAssignment(uow: UnitOfWork, timer: AssignmentTimer) {
  const [conversation] = await uow.tx.select().from(conversations).where(eq(conversations.id, timer.conversationId)).for('update');
  if (conversation?.status !== 'assigned') return null;
  const [assignment] = await uow.tx
    .select()
    .from(conversationAssignments)
    .where(and(eq(conversationAssignments.conversationId, timer.conversationId), isNull(conversationAssignments.releasedAt)));
  return assignment?.id === timer.assignmentId ? { conversation, assignment } : null;
}

/**
 * The agent has not written to the customer since the assignment within the campaign's answer time:
 * the conversation goes back to the queue, ahead of newer customers, and another agent gets it first.
 */
export async function expireUnanswered(services: Services, timer: AssignmentTimer): Promise<boolean> {
  return inTransaction(services, async (uow) => {
    const held = await heldAssignment(uow, timer);
    if (!held) return false;
    const [answered] = await uow.tx
      .select({ one: sql`1` })
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, timer.conversationId),
          eq(messages.authorType, 'agent'),
          eq(messages.authorUserId, held.assignment.userId),
          gte(messages.createdAt, held.assignment.assignedAt),
        ),
      )
      .limit(1);
    if (answered) return false;
    await requeueConversation(uow, held.conversation, { reason: 'answer_timeout' });
    return true;
  });
}

export function handle(services: Services) {
  return (jobs: JobWithMetadata<AssignmentTimer>[]) => runBatch(jobs, 5, async (job) => void (await expireUnanswered(services, job.data)));
}
