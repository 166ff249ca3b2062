import { useSignal } from '@preact/signals';
import { useRef } from 'preact/hooks';
import type { TargetedKeyboardEvent } from 'preact';
import type { ConversationDetail } from '../../../../../../contract/conversations.ts';
import { CannedResponsePicker, moveHighlight, ShortcutSuggestions, useCannedResponses } from './canned-responses.tsx';
import { fillPlaceholders, matchResponses, typedShortcut, type CannedResponse } from './canned-responses-state.ts';
import { canReply, sendReply } from './conversation-state.ts';
import { me } from '../../shared/session-state.ts';
import { EmojiPicker } from './emoji-picker.tsx';

/** How many responses the `/shortcut` list shows at most. */
const MAX_SUGGESTIONS = 6;

/** Why the agent cannot type, or null when they can. */
function blockedReason(conversation: ConversationDetail, myId: number | undefined): string | null {
  if (conversation.status === 'closed') return 'This conversation is closed.';
  if (conversation.status === 'bot') return 'The bot is handling this conversation.';
  if (conversation.status === 'queued') return 'Waiting in the queue for an agent.';
  if (conversation.assignedTo?.id !== myId) return `Assigned to ${conversation.assignedTo?.displayName ?? 'another agent'}.`;
  return null;
}

/**
 * Reply textarea with emoji picker and the campaign's pre-set responses (a picker, or `/shortcut` then
 * Tab at the start of the box); Enter sends, Shift+Enter adds a line.
 */
export function ReplyBox({ conversation }: { conversation: ConversationDetail }) {
  const draft = useSignal('');
  const caret = useSignal(0);
  const sending = useSignal(false);
  /** The highlighted `/shortcut` suggestion. */
  const suggestion = useSignal(0);
  /** The draft as it was when Escape hid the suggestions: they stay hidden until it changes. */
  const dismissedAt = useSignal<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const enabled = canReply.value;
  const reason = enabled ? null : blockedReason(conversation, me.value?.id);
  const empty = draft.value.trim() === '';
  const offer = useCannedResponses(conversation);

  const fill = (body: string) =>
    fillPlaceholders(body, { agent: me.value?.displayName ?? '', customer: conversation.customer.name ?? conversation.customer.address });
  const shortcut = enabled && dismissedAt.value !== draft.value ? typedShortcut(draft.value, caret.value) : null;
  const suggestions = shortcut ? matchResponses(offer.responses, shortcut.query, false).slice(0, MAX_SUGGESTIONS) : [];
  const active = Math.min(suggestion.value, Math.max(suggestions.length - 1, 0));

  async function send() {
    const body = draft.value.trim();
    if (!enabled || sending.value || body === '') return;
    sending.value = true;
    const sent = await sendReply(body);
    sending.value = false;
    if (sent) draft.value = '';
    input.current?.focus();
  }

  /** Replaces the text from `start` to `end` and puts the caret after what was inserted. */
  function replaceText(start: number, end: number, text: string) {
    const element = input.current;
    draft.value = draft.value.slice(0, start) + text + draft.value.slice(end);
    caret.value = start + text.length;
    suggestion.value = 0;
    // Put the caret after the insertion once the new value is rendered.
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + text.length, start + text.length);
    });
  }

  /** Inserts at the caret, over any selected text. */
  function insertAtCaret(text: string) {
    const element = input.current;
    const length = draft.value.length;
    replaceText(element?.selectionStart ?? length, element?.selectionEnd ?? length, text);
  }

  function insertShortcut(response: CannedResponse) {
    if (shortcut) replaceText(0, shortcut.end, fill(response.body));
  }

  function followCaret(element: HTMLTextAreaElement) {
    caret.value = element.selectionEnd;
  }

  function onKeyDown(event: TargetedKeyboardEvent<HTMLTextAreaElement>) {
    if (suggestions.length > 0 && !event.isComposing) {
      const next = moveHighlight(event.key, active, suggestions.length);
      if (next !== null) {
        event.preventDefault();
        suggestion.value = next;
        return;
      }
      if ((event.key === 'Tab' || event.key === 'Enter') && !event.shiftKey) {
        event.preventDefault();
        insertShortcut(suggestions[active]!);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        dismissedAt.value = draft.value;
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void send();
    }
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
        <EmojiPicker onPick={insertAtCaret} disabled={!enabled} />
        <CannedResponsePicker offer={offer} fill={fill} blocked={reason} onPick={(response) => insertAtCaret(fill(response.body))} />
        <div class="reply-input">
          <ShortcutSuggestions matches={suggestions} active={active} fill={fill} onPick={insertShortcut} />
          <textarea
            ref={input}
            data-testid="reply-input"
            rows={2}
            placeholder={enabled ? 'Type a reply, or / and a shortcut… (Enter to send, Shift+Enter for a new line)' : ''}
            aria-label="Reply"
            aria-autocomplete="list"
            aria-controls={suggestions.length > 0 ? 'canned-suggestion-list' : undefined}
            disabled={!enabled}
            value={draft.value}
            onInput={(event) => {
              draft.value = event.currentTarget.value;
              followCaret(event.currentTarget);
              suggestion.value = 0;
            }}
            onKeyUp={(event) => followCaret(event.currentTarget)}
            onClick={(event) => followCaret(event.currentTarget)}
            onKeyDown={onKeyDown}
          />
        </div>
        <button type="submit" class="primary" data-testid="reply-send" disabled={!enabled || sending.value || empty}>
          {sending.value ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
