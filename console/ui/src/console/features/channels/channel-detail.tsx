import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { ChannelView } from '../../../../../../contract/channels.ts';
import { errorMessage } from '../../../api-client.ts';
import { draftFromChannel, type ChannelDraft } from './channel-draft.ts';
import { useChannelForm } from './channel-form.ts';
import { ChannelFields, FormErrors } from './channel-fields.tsx';
import { SessionBadge, SessionCard } from './channel-session.tsx';
import { TestSend } from './channel-test-send.tsx';
import { channelTypeLabel } from './channel-types.ts';
import { updateChannel } from './channels-state.ts';
import { channelsLink } from '../../shared/console-route.ts';
import { WebhookUrl } from './webhook-url.tsx';

/** What an empty "sends per second" means for this channel. */
export function paceText(channel: ChannelView): string {
  if (channel.effectiveSendsPerSecond === null) return 'Unpaced';
  const pace = `${channel.effectiveSendsPerSecond}/s`;
  return channel.sendsPerSecond === null ? `${pace} (type default)` : pace;
}

function EnableToggle({ channel }: { channel: ChannelView }) {
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  async function toggle() {
    busy.value = true;
    error.value = null;
    try {
      await updateChannel(channel.id, { enabled: !channel.enabled });
    } catch (failure) {
      error.value = errorMessage(failure);
    } finally {
      busy.value = false;
    }
  }
  return (
    <>
      <button type="button" data-testid="channel-toggle-enabled" disabled={busy.value} onClick={() => void toggle()}>
        {channel.enabled ? 'Disable' : 'Enable'}
      </button>
      {error.value && (
        <p class="inline-error" role="alert">
          {error.value}
        </p>
      )}
    </>
  );
}

/** The settings form of one channel; secrets typed here replace the stored ones, the rest stay. */
function ChannelSettingsForm({ channel }: { channel: ChannelView }) {
  const draft = useSignal<ChannelDraft>(draftFromChannel(channel));
  const dirty = useSignal(false);
  const saved = useSignal(false);
  const { issues, message, busy, submit } = useChannelForm(draft, async (input) => {
    const { enabled: _enabled, ...patch } = input; // enabling has its own button
    const updated = await updateChannel(channel.id, patch);
    draft.value = draftFromChannel(updated);
    dirty.value = false;
    saved.value = true;
  });
  const errorsId = `channel-${channel.id}-errors`;

  // Changed elsewhere (another admin, the enable button): follow it unless this form holds edits.
  useEffect(() => {
    if (!dirty.value) draft.value = { ...draftFromChannel(channel), addedSecretNames: draft.value.addedSecretNames };
  }, [channel.updatedAt]);

  const change = (part: Partial<ChannelDraft>) => {
    draft.value = { ...draft.value, ...part };
    dirty.value = true;
    saved.value = false;
  };

  function reset() {
    draft.value = draftFromChannel(channel);
    dirty.value = false;
    issues.value = [];
    message.value = null;
  }

  return (
    <form class="card" aria-labelledby={`channel-${channel.id}-settings-title`} data-testid="channel-form" onSubmit={submit}>
      <div class="card-title">
        <h3 id={`channel-${channel.id}-settings-title`}>Settings</h3>
      </div>
      <ChannelFields
        idPrefix={`channel-${channel.id}`}
        type={channel.type}
        draft={draft.value}
        onChange={change}
        issues={issues.value}
        secretsSet={channel.secretsSet}
        paceHint={channel.sendsPerSecond === null ? paceText(channel) : 'Type default'}
        errorsId={errorsId}
      />
      <FormErrors id={errorsId} message={message.value} issues={issues.value} />
      <div class="form-actions">
        {saved.value && (
          <span class="saved-note" role="status" data-testid="channel-saved">
            Saved.
          </span>
        )}
        <button type="button" disabled={!dirty.value || busy.value} onClick={reset}>
          Discard changes
        </button>
        <button type="submit" class="primary" data-testid="channel-save" disabled={busy.value}>
          {busy.value ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

/** The right pane for one channel: state, pairing, webhook, settings and a test send. */
export function ChannelDetail({ channel }: { channel: ChannelView }) {
  return (
    <div class="channel-panel" data-testid="channel-detail" data-channel-id={channel.id}>
      <header class="panel-header">
        <a class="ghost back-link" href={channelsLink()} aria-label="Back to the channel list">
          ←
        </a>
        <div class="grow">
          <h2 data-testid="channel-detail-name">{channel.name}</h2>
          <p class="muted small">
            {channelTypeLabel(channel.type)} · {channel.address ?? 'no address'} · {paceText(channel)}
          </p>
        </div>
        <div class="panel-badges">
          <span class={channel.enabled ? 'badge badge-enabled' : 'badge badge-disabled'} data-testid="channel-enabled">
            {channel.enabled ? 'Enabled' : 'Disabled'}
          </span>
          {channel.session && <SessionBadge session={channel.session} />}
          <EnableToggle channel={channel} />
        </div>
      </header>
      {channel.session && <SessionCard session={channel.session} />}
      {channel.receivesWebhooks && <WebhookUrl channel={channel} />}
      <ChannelSettingsForm key={channel.id} channel={channel} />
      <TestSend key={channel.id} channel={channel} />
    </div>
  );
}
