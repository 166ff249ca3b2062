import type { MessageStatus } from '../db/schema/index.ts';

const RANK: Record<Exclude<MessageStatus, 'received' | 'failed'>, number> = { queued: 0, sent: 1, delivered: 2, read: 3 };

/**
 * Outbound delivery status: `queued → sent → delivered → read`, or `failed` from queued/sent.
 * Reports arrive out of order (a `read` before its `delivered`), so a status never moves backwards;
 * returns null when the report must be ignored.
 */
export function nextMessageStatus(current: MessageStatus, reported: MessageStatus): MessageStatus | null {
  if (current === 'received' || reported === 'received' || current === 'failed') return null;
  if (reported === 'failed') return current === 'queued' || current === 'sent' ? 'failed' : null;
  return RANK[reported] > RANK[current] ? reported : null;
}
