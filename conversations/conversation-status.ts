import type { CloseReason, ConversationStatus } from '../db/schema/index.ts';
import { DomainError } from '../kernel/errors.ts';

export type ConversationEvent =
  | { type: 'handoff' }
  | { type: 'assign' }
  | { type: 'requeue' }
  /** A transfer from one agent to another. */
  | { type: 'reassign' }
  | { type: 'return_to_bot' }
  | { type: 'close'; reason: CloseReason };

/** Which close reasons are allowed from which status (DESIGN: bot resolves, queue abandons, agent closes). */
const CLOSE_REASONS_FROM: Record<Exclude<ConversationStatus, 'closed'>, readonly CloseReason[]> = {
  bot: ['bot_resolved', 'bot_timeout', 'out_of_hours', 'opted_out', 'queue_full', 'campaign_disabled', 'supervisor_closed'],
  queued: ['abandoned', 'queue_full', 'opted_out', 'campaign_disabled', 'supervisor_closed'],
  assigned: ['agent_closed', 'supervisor_closed', 'opted_out', 'abandoned'],
};

const TABLE: Record<ConversationStatus, Partial<Record<Exclude<ConversationEvent['type'], 'close'>, ConversationStatus>>> = {
  bot: { handoff: 'queued' },
  queued: { assign: 'assigned', return_to_bot: 'bot' },
  assigned: { requeue: 'queued', reassign: 'assigned', return_to_bot: 'bot' },
  closed: {},
};

const article = (word: string) => (/^[aeiou]/.test(word) ? 'An' : 'A');

export class TransitionError extends DomainError {
  override name = 'TransitionError';
  constructor(message: string) {
    super('conflict', 'conflict', message);
  }
}

/** The conversation state machine `bot → queued → assigned → closed`; refuses anything else. */
export function transition(status: ConversationStatus, event: ConversationEvent): ConversationStatus {
  if (event.type === 'close') {
    if (status !== 'closed' && CLOSE_REASONS_FROM[status].includes(event.reason)) return 'closed';
    throw new TransitionError(`${article(status)} ${status} conversation cannot be closed as ${event.reason.replaceAll('_', ' ')}`);
  }
  const next = TABLE[status][event.type];
  if (!next) throw new TransitionError(`${article(status)} ${status} conversation cannot ${event.type.replaceAll('_', ' ')}`);
  return next;
}
