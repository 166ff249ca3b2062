import { useSignal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import type { FieldIssue } from '../../../../../../contract/common.ts';
import { errorMessage } from '../../../api-client.ts';
import { fieldIssues } from '../../shared/field-issues.tsx';
import { SPOOL_STATE_LABELS, sendSingleMessage } from './dialer-spool-state.ts';
import { dialerOptions } from './dialers-state.ts';

/**
 * The seed's "Single message sending": Telephone and Text, sent by the dialer (ahead of its broadcasts)
 * for a campaign of mine; the first campaign the dialer already works for is picked for me.
 */
export function SingleSend({ dialerId, campaignIds, onSent }: { dialerId: number; campaignIds: number[]; onSent?: () => void }) {
  const campaigns = dialerOptions.value.campaigns;
  const destination = useSignal('');
  const message = useSignal('');
  const chosen = useSignal<number | null>(null);
  const busy = useSignal(false);
  const issues = useSignal<FieldIssue[]>([]);
  const error = useSignal<string | null>(null);
  const sent = useSignal<string | null>(null);
  const campaignId = chosen.value ?? campaigns.find((c) => campaignIds.includes(c.id))?.id ?? campaigns[0]?.id ?? null;
  const issueAt = (path: string) => issues.value.filter((issue) => issue.path === path);
  const invalid = (path: string) => (issueAt(path).length ? { 'aria-invalid': true as const } : {});
  const issueList = (path: string) =>
    issueAt(path).map((issue) => (
      <span key={issue.message} class="field-issues" data-testid="field-error" data-path={path}>
        {issue.message}
      </span>
    ));

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    if (campaignId === null) {
      error.value = 'Pick the campaign the message belongs to.';
      return;
    }
    busy.value = true;
    issues.value = [];
    error.value = null;
    sent.value = null;
    try {
      const row = await sendSingleMessage(dialerId, { destination: destination.value.trim(), message: message.value, campaignId });
      sent.value =
        row.state === 'to_process'
          ? `Message #${row.id} to ${row.destination} is queued: follow it in Recent messages.`
          : `Message #${row.id} to ${row.destination}: ${SPOOL_STATE_LABELS[row.state]}.`;
      message.value = '';
      onSent?.();
    } catch (failure) {
      issues.value = fieldIssues(failure);
      if (issues.value.length === 0 || issues.value.some((issue) => !['destination', 'message', 'campaignId'].includes(issue.path)))
        error.value = errorMessage(failure);
    } finally {
      busy.value = false;
    }
  }

  return (
    <form class="card single-send" data-testid="single-send" onSubmit={submit} noValidate aria-labelledby="single-send-title">
      <div class="card-title">
        <h3 id="single-send-title">Single message sending</h3>
      </div>
      <div class="field-grid">
        <label class="field">
          Telephone
          <input
            data-testid="single-destination"
            inputMode="tel"
            placeholder="e.g. 098344484"
            value={destination.value}
            onInput={(e) => (destination.value = e.currentTarget.value)}
            {...invalid('destination')}
          />
          {issueList('destination')}
        </label>
        <label class="field">
          Campaign
          <select
            data-testid="single-campaign"
            value={campaignId ?? ''}
            onChange={(e) => (chosen.value = Number(e.currentTarget.value))}
            {...invalid('campaignId')}
          >
            {campaigns.length === 0 && <option value="">No campaigns</option>}
            {campaigns.map((campaign) => (
              <option key={campaign.id} value={campaign.id}>
                {campaign.name}
              </option>
            ))}
          </select>
          {issueList('campaignId')}
        </label>
      </div>
      <label class="field">
        Text
        <textarea
          data-testid="single-message"
          rows={3}
          value={message.value}
          onInput={(e) => (message.value = e.currentTarget.value)}
          {...invalid('message')}
        />
        <span class="muted small">{message.value.length} characters</span>
        {issueList('message')}
      </label>
      <div class="form-actions">
        {sent.value && (
          <span class="saved-note" role="status" data-testid="single-sent">
            {sent.value}
          </span>
        )}
        <button
          type="submit"
          class="primary"
          data-testid="single-submit"
          disabled={busy.value || destination.value.trim() === '' || message.value.trim() === ''}
        >
          {busy.value ? 'Sending…' : 'Send'}
        </button>
      </div>
      {error.value && (
        <p class="form-error" role="alert" data-testid="single-error">
          {error.value}
        </p>
      )}
    </form>
  );
}
