import { useLayoutEffect, useRef } from 'preact/hooks';
import type { MessageStatus, MessageView } from '../../../../../contract/conversations.ts';
import { formatFullTime, formatMessageTime } from '../../format-time.ts';
import { MessageContent, NodeTag } from './message-content.tsx';

const statusLabels: Record<MessageStatus, string> = {
  received: 'Received',
  queued: 'Queued',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Failed',
};

function authorLabel(message: MessageView): string {
  switch (message.authorType) {
    case 'contact':
      return 'Customer';
    case 'bot':
      return 'Bot';
    case 'agent':
      return message.authorName ?? 'Agent';
    case 'system':
      return 'System';
  }
}

function DeliveryStatus({ message }: { message: MessageView }) {
  if (message.status !== 'failed') {
    return <span class={`delivery delivery-${message.status}`}>{statusLabels[message.status]}</span>;
  }
  const details = [message.error?.code, message.error?.message].filter(Boolean).join(' ');
  return (
    <span class="delivery delivery-failed" data-testid="delivery-error">
      Failed{details ? `: ${details}` : ''}
    </span>
  );
}

function MessageBubble({ message }: { message: MessageView }) {
  return (
    <li
      class={`message message-${message.authorType}`}
      data-testid="message"
      data-author-type={message.authorType}
      data-message-id={message.id}
      data-status={message.status}
    >
      <div class="bubble">
        <div class="author">
          {authorLabel(message)}
          {message.authorType === 'bot' && <NodeTag node={message.botNode} />}
        </div>
        <div class="body">{message.body}</div>
        <MessageContent content={message.content} />
      </div>
      <div class="meta">
        <time title={formatFullTime(message.createdAt)}>{formatMessageTime(message.createdAt)}</time>
        {message.direction === 'outbound' && <DeliveryStatus message={message} />}
      </div>
    </li>
  );
}

/** The messages of one conversation, oldest first, kept scrolled to the newest. */
export function Transcript({ conversationId, messages }: { conversationId: number; messages: MessageView[] }) {
  const list = useRef<HTMLOListElement>(null);

  // Scroll on a new conversation or a new message; status updates keep the position.
  useLayoutEffect(() => {
    const element = list.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [conversationId, messages.length]);

  return (
    <ol class="transcript" data-testid="transcript" ref={list} aria-live="polite">
      {messages.length === 0 && <li class="muted transcript-empty">No messages yet.</li>}
      {messages.map((message) => (
        <MessageBubble key={message.id} message={message} />
      ))}
    </ol>
  );
}
