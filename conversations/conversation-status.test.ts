import { describe, expect, it } from 'vitest';
import { CLOSE_REASONS, CONVERSATION_STATUSES, type CloseReason, type ConversationStatus } from '../db/schema/index.ts';
import { transition, type ConversationEvent } from './conversation-status.ts';

const MOVES: [ConversationStatus, ConversationEvent['type'], ConversationStatus | null][] = [
  ['bot', 'handoff', 'queued'],
  ['bot', 'assign', null],
  ['bot', 'requeue', null],
  ['bot', 'return_to_bot', null],
  ['queued', 'assign', 'assigned'],
  ['queued', 'handoff', null],
  ['queued', 'return_to_bot', 'bot'],
  ['assigned', 'requeue', 'queued'],
  ['assigned', 'return_to_bot', 'bot'],
  ['assigned', 'assign', null],
  ['assigned', 'reassign', 'assigned'],
  ['queued', 'reassign', null],
  ['bot', 'reassign', null],
  ['closed', 'handoff', null],
  ['closed', 'assign', null],
  ['closed', 'requeue', null],
  ['closed', 'return_to_bot', null],
];

describe('conversation state machine', () => {
  it.each(MOVES)('%s --%s--> %s', (from, type, to) => {
    const run = () => transition(from, { type } as ConversationEvent);
    if (to === null) expect(run).toThrow(/cannot/);
    else expect(run()).toBe(to);
  });

  const allowed: Record<Exclude<ConversationStatus, 'closed'>, CloseReason[]> = {
    bot: ['bot_resolved', 'bot_timeout', 'out_of_hours', 'opted_out', 'queue_full', 'campaign_disabled', 'supervisor_closed'],
    queued: ['abandoned', 'queue_full', 'opted_out', 'campaign_disabled', 'supervisor_closed'],
    assigned: ['agent_closed', 'supervisor_closed', 'opted_out', 'abandoned'],
  };
  for (const status of CONVERSATION_STATUSES) {
    for (const reason of CLOSE_REASONS) {
      const ok = status !== 'closed' && allowed[status].includes(reason);
      it(`${status} closed as ${reason}: ${ok ? 'allowed' : 'refused'}`, () => {
        const run = () => transition(status, { type: 'close', reason });
        if (ok) expect(run()).toBe('closed');
        else expect(run).toThrow(/cannot be closed/);
      });
    }
  }
});
