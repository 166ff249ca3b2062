import type { ConversationStatus } from '../../../../../contract/conversations.ts';

const labels: Record<ConversationStatus, string> = {
  bot: 'Bot',
  queued: 'Queued',
  assigned: 'Assigned',
  closed: 'Closed',
};

/** Coloured pill for a conversation status, used in the inbox and the header. */
export function StatusBadge({ status }: { status: ConversationStatus }) {
  return (
    <span class={`badge badge-${status}`} data-testid="status-badge" data-status={status}>
      {labels[status]}
    </span>
  );
}

/** Red pill on a chat that passed its campaign's chat time (in the inbox and the header); nothing otherwise. */
export function ChatTimeBadge({ exceededAt }: { exceededAt: string | null }) {
  if (!exceededAt) return null;
  return (
    <span class="badge badge-overtime" data-testid="over-chat-time" title={`Over the campaign's chat time since ${new Date(exceededAt).toLocaleTimeString()}`}>
      Over chat time
    </span>
  );
}
