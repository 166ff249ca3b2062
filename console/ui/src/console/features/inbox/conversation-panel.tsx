import type { ConversationDetail } from '../../../../../../contract/conversations.ts';
import { formatFullTime } from '../../../format-time.ts';
import { BotSummaryBox } from './bot-summary.tsx';
import { ConversationActions } from './conversation-actions.tsx';
import { actionError, closeView, detail, detailError, detailLoading, selectedId } from './conversation-state.ts';
import { ReplyBox } from './reply-box.tsx';
import { ChatTimeBadge, StatusBadge } from '../../shared/status-badge.tsx';
import { Transcript } from '../../shared/transcript.tsx';

/** Close reasons as a person reads them. */
const CLOSE_REASON_LABELS: Record<string, string> = {
  agent_closed: 'by the agent',
  supervisor_closed: 'by a supervisor',
  bot_resolved: 'resolved by the bot',
  bot_timeout: 'customer inactive',
  out_of_hours: 'out of hours',
  abandoned: 'customer left the queue',
  queue_full: 'queue full',
  opted_out: 'customer opted out',
  campaign_disabled: 'campaign disabled',
};

function assigneeText(conversation: ConversationDetail): string {
  if (conversation.status === 'closed') {
    return conversation.closeReason ? `Closed: ${CLOSE_REASON_LABELS[conversation.closeReason] ?? conversation.closeReason}` : 'Closed';
  }
  if (conversation.assignedTo) return `Assigned to ${conversation.assignedTo.displayName}`;
  return conversation.status === 'bot' ? 'With the bot' : 'Waiting for an agent';
}

function ConversationHeader({ conversation }: { conversation: ConversationDetail }) {
  const customerName = conversation.customer.name;
  return (
    <header class="conversation-header" data-testid="conversation-header">
      <button type="button" class="ghost back" onClick={closeView} aria-label="Back to inbox">
        ←
      </button>
      <div class="header-main">
        <div class="header-campaign" data-testid="campaign-name">
          {conversation.campaign?.name ?? 'No campaign'}
        </div>
        <div class="header-customer">
          <span data-testid="customer-number">{conversation.customer.address}</span>
          {customerName && <span class="muted"> · {customerName}</span>}
          <span class="muted"> · {conversation.channel.name}</span>
        </div>
      </div>
      <div class="header-side">
        <span class="header-badges">
          <ChatTimeBadge exceededAt={conversation.status === 'assigned' ? conversation.chatTimeExceededAt : null} />
          <StatusBadge status={conversation.status} />
        </span>
        <span class="muted small" title={formatFullTime(conversation.openedAt)}>
          {assigneeText(conversation)}
        </span>
      </div>
      <ConversationActions key={conversation.id} conversation={conversation} />
    </header>
  );
}

/** Right pane: the selected conversation (header, what the bot learnt, transcript, reply box) or an empty state. */
export function ConversationPanel() {
  const conversation = detail.value;
  if (selectedId.value === null) {
    return (
      <section class="conversation empty-state" data-testid="empty-state">
        <div>
          <div class="empty-icon" aria-hidden="true">
            💬
          </div>
          <p>Select a conversation from the inbox.</p>
        </div>
      </section>
    );
  }
  if (!conversation) {
    return (
      <section class="conversation empty-state">
        {detailError.value ? (
          <p class="inline-error" role="alert">
            {detailError.value}
          </p>
        ) : (
          <p class="muted">{detailLoading.value ? 'Loading conversation…' : ''}</p>
        )}
      </section>
    );
  }
  return (
    <section class="conversation" aria-label="Conversation" data-conversation-id={conversation.id}>
      <ConversationHeader conversation={conversation} />
      <BotSummaryBox conversation={conversation} />
      <Transcript conversationId={conversation.id} messages={conversation.messages} />
      {actionError.value && (
        <p class="inline-error action-error" data-testid="action-error" role="alert">
          {actionError.value}
        </p>
      )}
      <ReplyBox key={conversation.id} conversation={conversation} />
    </section>
  );
}
