import { useSignal } from '@preact/signals';
import type { ConversationDetail } from '../../../../../../contract/conversations.ts';
import { canReturnToBot, canTake, closeConversation, returnToBot, takeConversation } from './conversation-state.ts';
import { canTransfer, TransferDialog } from './transfer-dialog.tsx';

/**
 * The header's buttons: Take (from the bot or the queue), Return to bot (the assignee, supervisors),
 * Transfer (the assignee, supervisors; a dialog), Close. One action at a time; a refusal shows next
 * to the reply box.
 */
export function ConversationActions({ conversation }: { conversation: ConversationDetail }) {
  const busy = useSignal<'take' | 'return' | 'close' | null>(null);
  const transferring = useSignal(false);
  async function run(which: 'take' | 'return' | 'close', action: () => Promise<unknown>) {
    if (busy.value) return;
    busy.value = which;
    try {
      await action();
    } finally {
      busy.value = null;
    }
  }
  if (conversation.status === 'closed') return null;
  return (
    <div class="header-actions">
      {canTake.value && (
        <button
          type="button"
          class="primary"
          data-testid="take-conversation"
          disabled={busy.value !== null}
          title="Take this conversation: it is assigned to you"
          onClick={() => void run('take', takeConversation)}
        >
          {busy.value === 'take' ? 'Taking…' : 'Take'}
        </button>
      )}
      {canReturnToBot.value && (
        <button
          type="button"
          data-testid="return-to-bot"
          disabled={busy.value !== null}
          title="Hand the conversation back to the bot: its flow starts again, keeping what it collected"
          onClick={() => void run('return', returnToBot)}
        >
          {busy.value === 'return' ? 'Returning…' : 'Return to bot'}
        </button>
      )}
      {canTransfer(conversation) && (
        <button
          type="button"
          data-testid="transfer-conversation"
          disabled={busy.value !== null}
          title="Send the conversation to another agent or campaign, with a note"
          onClick={() => (transferring.value = true)}
        >
          Transfer
        </button>
      )}
      {transferring.value && <TransferDialog conversation={conversation} onClose={() => (transferring.value = false)} />}
      <button type="button" class="danger" data-testid="close-conversation" disabled={busy.value !== null} onClick={() => void run('close', closeConversation)}>
        Close
      </button>
    </div>
  );
}
