import type { ConversationStatus } from '../../../wire.ts';

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
