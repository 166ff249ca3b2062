import { useSignal, type Signal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import type { FieldIssue } from '../../../../../../contract/common.ts';
import { errorMessage } from '../../../api-client.ts';
import { draftToInput, type ChannelDraft, type ChannelFields } from './channel-draft.ts';
import { fieldIssues } from '../../shared/field-issues.tsx';

/**
 * The submit of a channel form (create or edit): the draft is checked in the browser first, then
 * saved; the server's field errors come back as issues naming each path.
 */
export function useChannelForm(draft: Signal<ChannelDraft>, save: (input: ChannelFields) => Promise<void>) {
  const issues = useSignal<FieldIssue[]>([]);
  const message = useSignal<string | null>(null);
  const busy = useSignal(false);

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    const parsed = draftToInput(draft.value);
    if (!parsed.input) {
      issues.value = parsed.issues;
      message.value = 'Fix these fields:';
      return;
    }
    busy.value = true;
    issues.value = [];
    message.value = null;
    try {
      await save(parsed.input);
    } catch (error) {
      issues.value = fieldIssues(error);
      message.value = issues.value.length ? 'The server refused these fields:' : errorMessage(error);
    } finally {
      busy.value = false;
    }
  }

  return { issues, message, busy, submit };
}
