import { useSignal } from '@preact/signals';
import type { ChannelType } from '../../../../../../contract/channels.ts';
import { draftForNewChannel, type ChannelDraft } from './channel-draft.ts';
import { useChannelForm } from './channel-form.ts';
import { ChannelFields, FormErrors } from './channel-fields.tsx';
import { CHANNEL_TYPE_LABELS, CHANNEL_TYPES } from './channel-types.ts';
import { createChannel } from './channels-state.ts';
import { channelsLink, showChannels } from '../../shared/console-route.ts';

const ERRORS_ID = 'new-channel-errors';

/** The create form: a type, its example settings to adapt, and the secrets that type takes. */
export function CreateChannel() {
  const type = useSignal<ChannelType>('simulator');
  const draft = useSignal<ChannelDraft>(draftForNewChannel('simulator'));
  const { issues, message, busy, submit } = useChannelForm(draft, async (input) => {
    const created = await createChannel({ type: type.value, ...input });
    showChannels(created.id);
  });

  const change = (part: Partial<ChannelDraft>) => (draft.value = { ...draft.value, ...part });
  const changeType = (next: ChannelType) => {
    type.value = next;
    // Another type takes other settings and secrets: start from its example (name and address stay).
    const fresh = draftForNewChannel(next);
    change({ settingsText: fresh.settingsText, secrets: {}, addedSecretNames: [] });
    issues.value = [];
    message.value = null;
  };

  return (
    <form class="channel-panel" data-testid="channel-create" aria-labelledby="new-channel-title" onSubmit={submit}>
      <header class="panel-header">
        <a class="ghost back-link" href={channelsLink()} aria-label="Back to the channel list">
          ←
        </a>
        <h2 id="new-channel-title">New channel</h2>
      </header>
      <section class="card">
        <label class="field" for="new-channel-type">
          Type
          <select id="new-channel-type" data-testid="channel-type-select" value={type.value} onChange={(e) => changeType(e.currentTarget.value as ChannelType)}>
            {CHANNEL_TYPES.map((value) => (
              <option key={value} value={value}>
                {CHANNEL_TYPE_LABELS[value]}
              </option>
            ))}
          </select>
        </label>
        <ChannelFields
          idPrefix="new-channel"
          type={type.value}
          draft={draft.value}
          onChange={change}
          issues={issues.value}
          secretsSet={[]}
          paceHint="Type default"
          errorsId={ERRORS_ID}
        />
        <label class="checkbox">
          <input type="checkbox" checked={draft.value.enabled} onChange={(e) => change({ enabled: e.currentTarget.checked })} />
          Enabled (sessions start and messages flow as soon as it is created)
        </label>
        <FormErrors id={ERRORS_ID} message={message.value} issues={issues.value} />
        <div class="form-actions">
          <a class="button-link" href={channelsLink()}>
            Cancel
          </a>
          <button type="submit" class="primary" data-testid="channel-create-submit" disabled={busy.value}>
            {busy.value ? 'Creating…' : 'Create channel'}
          </button>
        </div>
      </section>
    </form>
  );
}
