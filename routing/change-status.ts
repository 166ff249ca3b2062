import { and, eq, isNull, sql } from 'drizzle-orm';
import { campaigns, conversationAssignments, conversations, type AssignmentVia, type ReleaseReason } from '../db/schema/index.ts';
import { requestAssignmentForAgent } from './agent-presence.ts';
import { scheduleAssignmentTimers } from './assignment-timers.ts';
import { deleteOffers } from './offer-rows.ts';
import { activeConversations } from './agent-load.ts';
import { rooms } from '../kernel/realtime.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';
import { transition, TransitionError, type ConversationEvent } from '../conversations/conversation-status.ts';
import type { ConversationRow } from '../conversations/open-conversation.ts';

/** Columns a caller changes together with the status, in the same update. */
export type ConversationChanges = Partial<Omit<typeof conversations.$inferInsert, 'id' | 'status'>>;
type Changes = ConversationChanges;

/** How an agent gets the conversation, or why the one holding it lets it go; recorded in `conversation_assignments`. */
export type AssignmentNote = {
  via?: AssignmentVia;
  releaseReason?: ReleaseReason;
  /** What routing saw when it gave the conversation (the agent's active count and the limit); counted here when absent. */
  activeBefore?: number;
  maxInteractions?: number;
  /** The conversation's campaign when the caller has it loaded already (saves a query per assignment). */
  campaign?: typeof campaigns.$inferSelect;
};

const RELEASE_BY_EVENT: Partial<Record<ConversationEvent['type'], ReleaseReason>> = {
  close: 'closed',
  requeue: 'requeued',
  reassign: 'transferred',
  return_to_bot: 'returned_to_bot',
};

/**
 * Moves a conversation through the state machine. The update is guarded by the status it was read
 * in, so a concurrent change (an agent closing while routing assigns) makes this one fail instead of
 * silently overwriting it. Around it, the bookkeeping every path needs: the assignment history, the
 * agent's freed capacity back to routing, the agent's timers, and offers withdrawn from the others.
 */
export async function changeConversationStatus(
  uow: UnitOfWork,
  conversation: ConversationRow,
  event: ConversationEvent,
  changes: Changes = {},
  note: AssignmentNote = {},
): Promise<ConversationRow> {
  const { tx } = uow;
  const status = transition(conversation.status, event);
  const now = new Date();
  const stamps: Changes =
    event.type === 'close'
      ? { closeReason: event.reason, closedAt: now }
      : event.type === 'handoff'
        ? { queuedAt: now, assignedUserId: null, assignedAt: null, firstAgentReplyAt: null, requeuedFromUserId: null }
        : event.type === 'requeue'
          ? // The customer keeps their place: queuedAt stays, so they go ahead of everyone who came later.
            { queuedAt: conversation.queuedAt ?? now, assignedUserId: null, assignedAt: null, chatTimeExceededAt: null }
          : event.type === 'return_to_bot'
            ? { assignedUserId: null, assignedAt: null, queuedAt: null, chatTimeExceededAt: null }
            : { chatTimeExceededAt: null };
  const [updated] = await tx
    .update(conversations)
    .set({ ...stamps, ...changes, status })
    .where(and(eq(conversations.id, conversation.id), eq(conversations.status, conversation.status)))
    .returning();
  if (!updated) throw new TransitionError(`Conversation ${conversation.id} changed while it was being updated`);

  const previousAgent = conversation.status === 'assigned' ? conversation.assignedUserId : null;
  const agentChanged = previousAgent !== (status === 'assigned' ? updated.assignedUserId : null);
  if (previousAgent !== null && agentChanged) {
    await tx
      .update(conversationAssignments)
      .set({ releasedAt: sql`clock_timestamp()`, releaseReason: note.releaseReason ?? RELEASE_BY_EVENT[event.type] ?? 'requeued' })
      .where(and(eq(conversationAssignments.conversationId, conversation.id), isNull(conversationAssignments.releasedAt)));
    await requestAssignmentForAgent(uow, previousAgent);
  }
  if (status === 'assigned' && agentChanged) await recordAssignment(uow, updated, note);
  if (conversation.status === 'queued' && status !== 'queued') await withdrawOffers(uow, conversation.id);
  return updated;
}

async function recordAssignment(uow: UnitOfWork, conversation: ConversationRow, note: AssignmentNote) {
  const userId = conversation.assignedUserId!;
  const campaign =
    note.campaign?.id === conversation.campaignId
      ? note.campaign
      : (await uow.tx.query.campaigns.findFirst({ where: eq(campaigns.id, conversation.campaignId!) }))!;
  // Counted after the update, so this conversation is among them.
  const activeBefore = note.activeBefore ?? (await activeConversations(uow.tx, userId)) - 1;
  const [assignment] = await uow.tx
    .insert(conversationAssignments)
    .values({
      conversationId: conversation.id,
      userId,
      campaignId: campaign.id,
      via: note.via ?? 'routing',
      activeBefore,
      maxInteractions: note.maxInteractions ?? campaign.maxInteractionsPerAgent,
    })
    .returning({ id: conversationAssignments.id });
  await scheduleAssignmentTimers(uow, { conversationId: conversation.id, assignmentId: assignment!.id }, campaign);
}

/** The conversation left the queue: every agent it was offered to sees it vanish. */
export async function withdrawOffers(uow: UnitOfWork, conversationId: number, exceptUserId: number | null = null): Promise<void> {
  const withdrawn = await deleteOffers(uow.tx, sql`conversation_id = ${conversationId}`);
  const targets = withdrawn.filter((row) => row.userId !== exceptUserId).map((row) => rooms.user(row.userId));
  if (targets.length) uow.emit({ rooms: targets, event: 'offer.withdrawn', payload: { conversationId } });
}
