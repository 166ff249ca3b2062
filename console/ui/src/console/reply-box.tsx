import { useSignal } from '@preact/signals';
import { useRef } from 'preact/hooks';
import type { TargetedKeyboardEvent } from 'preact';
import type { ConversationDetail } from '../../../wire.ts';
import { canReply, sendReply } from './conversation-state.ts';
import { me } from './session-state.ts';
import { EmojiPicker } from './emoji-picker.tsx';

/** Why the agent cannot type, or null when they can. */
function blockedReason(conversation: ConversationDetail, myId: number | undefined): string | null {
  if (conversation.status === 'closed') return 'This conversation is closed.';
  if (conversation.status === 'bot') return 'The bot is handling this conversation.';
  if (conversation.status === 'queued') return 'Waiting in the queue for an agent.';
  if (conversation.assignedTo?.id !== myId) return `Assigned to ${conversation.assignedTo?.displayName ?? 'another agent'}.`;
  return null;
}

/** Reply textarea with emoji picker; Enter sends, Shift+Enter adds a line. */
export function ReplyBox({ conversation }: { conversation: ConversationDetail }) {
  const draft = useSignal('');
  const sending = useSignal(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const enabled = canReply.value;
  const reason = enabled ? null : blockedReason(conversation, me.value?.id);
  const empty = draft.value.trim() === '';

  async function send() {
    const body = draft.value.trim();
    if (!enabled || sending.value || body === '') return;
    sending.value = true;
    const sent = await sendReply(body);
    sending.value = false;
    if (sent) draft.value = '';
    input.current?.focus();
  }

  function onKeyDown(event: TargetedKeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  function insertEmoji(emoji: string) {
    const element = input.current;
    const text = draft.value;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    draft.value = text.slice(0, start) + emoji + text.slice(end);
    // Put the caret after the emoji once the new value is rendered.
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  }

  return (
    <form
      class="reply-box"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      {reason && <p class="muted small reply-hint">{reason}</p>}
      <div class="reply-row">
        <EmojiPicker onPick={insertEmoji} disabled={!enabled} />
        <textarea
          ref={input}
          data-testid="reply-input"
          rows={2}
          placeholder={enabled ? 'Type a reply… (Enter to send, Shift+Enter for a new line)' : ''}
          aria-label="Reply"
          disabled={!enabled}
          value={draft.value}
          onInput={(event) => (draft.value = event.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
        <button
          type="submit"
          class="primary"
          data-testid="reply-send"
          disabled={!enabled || sending.value || empty}
        >
          {sending.value ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
