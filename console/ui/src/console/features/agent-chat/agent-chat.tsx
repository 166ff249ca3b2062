import { useSignal } from '@preact/signals';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { TargetedKeyboardEvent } from 'preact';
import { formatFullTime, formatMessageTime } from '../../../format-time.ts';
import {
  activeThread,
  activeUserId,
  chatContacts,
  chatError,
  chatOpen,
  closeChat,
  loadChatThreads,
  openChatWith,
  sendChat,
  threads,
  toggleChat,
  unreadTotal,
} from './agent-chat-state.ts';
import { connection } from '../../shared/connection.ts';
import { canSeeAll, me } from '../../shared/session-state.ts';

/**
 * Top-bar button of the internal chat, with the count of messages I have not read. It is shown for the
 * whole signed-in session, so it reads the threads on each (re)connection: what arrived while I was
 * signed out or offline counts too.
 */
export function ChatButton() {
  const unread = unreadTotal.value;
  const connected = connection.value === 'connected';
  useEffect(() => {
    if (connected) void loadChatThreads();
  }, [connected]);
  return (
    <button
      type="button"
      class={chatOpen.value ? 'ghost chat-button open' : 'ghost chat-button'}
      data-testid="chat-toggle"
      aria-expanded={chatOpen.value}
      title="Internal chat between supervisors and agents"
      onClick={toggleChat}
    >
      Chat
      {unread > 0 && (
        <span class="unread-badge" data-testid="chat-unread" role="img" aria-label={`${unread} unread`}>
          {unread}
        </span>
      )}
    </button>
  );
}

/** Who to talk to: the threads I have, plus (supervisors) any agent I manage. */
function ThreadPicker() {
  const known = threads.value;
  const others = chatContacts.value.filter((contact) => !known.some((thread) => thread.userId === contact.userId));
  if (known.length === 0 && others.length === 0) return null;
  const byId = new Map([...known.map((t) => [t.userId, t.name] as const), ...others.map((c) => [c.userId, c.name] as const)]);
  return (
    <select
      class="chat-picker"
      data-testid="chat-with"
      aria-label="Chat with"
      value={activeUserId.value === null ? '' : String(activeUserId.value)}
      onChange={(e) => {
        const id = Number(e.currentTarget.value);
        if (id) void openChatWith(id, byId.get(id) ?? '');
      }}
    >
      {activeUserId.value === null && <option value="">Choose someone…</option>}
      {known.map((thread) => (
        <option key={thread.userId} value={String(thread.userId)}>
          {thread.name}
          {thread.unread > 0 ? ` (${thread.unread})` : ''}
        </option>
      ))}
      {others.map((contact) => (
        <option key={contact.userId} value={String(contact.userId)}>
          {contact.name}
        </option>
      ))}
    </select>
  );
}

function ChatMessages() {
  const thread = activeThread.value;
  const list = useRef<HTMLOListElement>(null);
  const count = thread?.messages.length ?? 0;
  useLayoutEffect(() => {
    const element = list.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [thread?.userId, count]);
  if (!thread) {
    return <p class="muted chat-empty">{canSeeAll() ? 'Choose an agent to write to.' : 'Messages from your supervisor show here.'}</p>;
  }
  const myId = me.value?.id;
  return (
    <ol class="chat-messages" data-testid="chat-messages" ref={list}>
      {thread.messages.length === 0 && <li class="muted chat-empty">{thread.loaded ? 'No messages yet.' : 'Loading…'}</li>}
      {thread.messages.map((message) => {
        const mine = message.fromUserId === myId;
        return (
          <li key={message.id} class={mine ? 'chat-message mine' : 'chat-message'} data-testid="chat-message" data-mine={mine ? 'true' : 'false'}>
            <div class="bubble">
              {!mine && <div class="author">{message.fromName}</div>}
              <div class="body">{message.body}</div>
            </div>
            <time class="meta" title={formatFullTime(message.createdAt)}>
              {formatMessageTime(message.createdAt)}
            </time>
          </li>
        );
      })}
    </ol>
  );
}

function ChatInput() {
  const draft = useSignal('');
  const sending = useSignal(false);
  const to = activeThread.value;

  async function send() {
    const body = draft.value.trim();
    if (!to || sending.value || body === '') return;
    sending.value = true;
    const sent = await sendChat(body);
    sending.value = false;
    if (sent) draft.value = '';
  }

  function onKeyDown(event: TargetedKeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  return (
    <form
      class="chat-input"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <textarea
        data-testid="chat-input"
        rows={2}
        maxLength={2000}
        placeholder={to ? `Message ${to.name}` : 'Nobody to write to yet'}
        disabled={!to}
        value={draft.value}
        onInput={(e) => (draft.value = e.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" class="primary" data-testid="chat-send" disabled={!to || sending.value || draft.value.trim() === ''}>
        Send
      </button>
    </form>
  );
}

/** The internal chat drawer: one thread at a time with a supervisor or an agent, never seen by customers. */
export function AgentChatDrawer() {
  if (!chatOpen.value) return null;
  return (
    <aside class="chat-drawer" aria-label="Internal chat" data-testid="chat-drawer">
      <header class="chat-header">
        <strong>Internal chat</strong>
        <ThreadPicker />
        <span class="spacer" />
        <button type="button" class="ghost" aria-label="Close the chat" data-testid="chat-close" onClick={closeChat}>
          ×
        </button>
      </header>
      <ChatMessages />
      {chatError.value && (
        <p class="inline-error" role="alert" data-testid="chat-error">
          {chatError.value}
        </p>
      )}
      <ChatInput />
    </aside>
  );
}
