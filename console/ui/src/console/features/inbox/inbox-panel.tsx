import type { ConversationSummary } from '../../../../../../contract/conversations.ts';
import { formatFullTime, formatShortTime } from '../../../format-time.ts';
import { openConversation, selectedId } from './conversation-state.ts';
import { inboxError, inboxLoading, scope, searchText, setScope, setSearch, setStatusFilter, statusFilter, visibleConversations } from './inbox-state.ts';
import { OffersPanel } from './offers-panel.tsx';
import { canSeeAll } from '../../shared/session-state.ts';
import { ChatTimeBadge, StatusBadge } from '../../shared/status-badge.tsx';

const authorPrefix = { contact: '', bot: 'Bot: ', agent: 'Agent: ', system: '' } as const;

function ConversationItem({ conversation, active }: { conversation: ConversationSummary; active: boolean }) {
  const last = conversation.lastMessage;
  return (
    <li>
      <button
        type="button"
        class={active ? 'conversation-item active' : 'conversation-item'}
        data-testid="conversation-item"
        data-conversation-id={conversation.id}
        aria-current={active ? 'true' : undefined}
        onClick={() => void openConversation(conversation.id)}
      >
        <span class="item-top">
          <span class="customer">{conversation.customer.address}</span>
          <time class="item-time" title={formatFullTime(conversation.lastMessageAt)}>
            {formatShortTime(conversation.lastMessageAt)}
          </time>
        </span>
        <span class="item-middle">
          <span class="campaign">{conversation.campaign?.name ?? conversation.channel.name}</span>
          <ChatTimeBadge exceededAt={conversation.status === 'assigned' ? conversation.chatTimeExceededAt : null} />
          <StatusBadge status={conversation.status} />
        </span>
        <span class="snippet">{last ? `${authorPrefix[last.authorType]}${last.body}` : 'No messages yet'}</span>
      </button>
    </li>
  );
}

function Toggle<T extends string>(props: { value: T; options: [T, string][]; onChange: (v: T) => void; label: string }) {
  return (
    <fieldset class="toggle group" aria-label={props.label}>
      {props.options.map(([value, text]) => (
        <button
          key={value}
          type="button"
          class={props.value === value ? 'selected' : ''}
          aria-pressed={props.value === value}
          data-testid={`${props.label.toLowerCase()}-${value}`}
          onClick={() => props.onChange(value)}
        >
          {text}
        </button>
      ))}
    </fieldset>
  );
}

/** Left pane: search, filters and the live list of conversations. */
export function InboxPanel() {
  const list = visibleConversations.value;
  return (
    <aside class="inbox" aria-label="Inbox">
      <OffersPanel />
      <div class="inbox-tools">
        <input
          type="search"
          data-testid="inbox-search"
          placeholder="Search campaign or number"
          aria-label="Search conversations"
          value={searchText.value}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        <div class="inbox-filters">
          {canSeeAll() && (
            <Toggle
              label="Scope"
              value={scope.value}
              onChange={setScope}
              options={[
                ['mine', 'Mine'],
                ['all', 'All'],
              ]}
            />
          )}
          <Toggle
            label="Status"
            value={statusFilter.value}
            onChange={setStatusFilter}
            options={[
              ['open', 'Open'],
              ['closed', 'Closed'],
            ]}
          />
        </div>
      </div>
      {inboxError.value && (
        <p class="inline-error" role="alert">
          {inboxError.value}
        </p>
      )}
      <ul class="conversation-list" data-testid="inbox">
        {list.map((conversation) => (
          <ConversationItem key={conversation.id} conversation={conversation} active={conversation.id === selectedId.value} />
        ))}
      </ul>
      {list.length === 0 && !inboxLoading.value && (
        <p class="empty-list muted">{statusFilter.value === 'open' ? 'No open conversations.' : 'No closed conversations.'}</p>
      )}
    </aside>
  );
}
