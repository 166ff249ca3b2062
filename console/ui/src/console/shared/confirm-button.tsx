import { useSignal } from '@preact/signals';

type ConfirmButtonProps = {
  /** The action's word, on both buttons: Delete, Revoke, Remove. */
  action: string;
  /** Asked beside the buttons (`Delete “Spring sale”?`); table rows ask nothing. */
  question?: string;
  /** The way back: Cancel unless told. */
  keep?: string;
  /** The first button's test id; the confirming button's is `<testId>-confirm`. */
  testId: string;
  /** A quiet first button, for table rows. */
  ghost?: boolean;
  /** Does the action and shows its own refusal; the question closes once it settles. */
  onConfirm: () => Promise<void>;
};

/** A destructive action in two clicks: the button, then in its place the action again beside a way back. */
export function ConfirmButton({ action, question, keep = 'Cancel', testId, ghost = false, onConfirm }: ConfirmButtonProps) {
  const asking = useSignal(false);
  const busy = useSignal(false);
  async function confirm() {
    busy.value = true;
    try {
      await onConfirm();
    } finally {
      busy.value = false;
      asking.value = false;
    }
  }
  if (!asking.value) {
    return (
      <button type="button" class={ghost ? 'ghost danger' : 'danger'} data-testid={testId} onClick={() => (asking.value = true)}>
        {action}
      </button>
    );
  }
  return (
    <fieldset class="row confirm-delete group" aria-label={question ?? `Confirm: ${action}`}>
      {question && <span class="small">{question}</span>}
      <button type="button" class="danger" data-testid={`${testId}-confirm`} disabled={busy.value} onClick={() => void confirm()}>
        {action}
      </button>
      <button type="button" onClick={() => (asking.value = false)}>
        {keep}
      </button>
    </fieldset>
  );
}
