import { useSignal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { FieldIssue } from '../../../../../../contract/common.ts';
import type { ApiKeyView } from '../../../../../../contract/dialer.ts';
import { errorMessage } from '../../../api-client.ts';
import { formatFullTime, formatMessageTime } from '../../../format-time.ts';
import { apiKeyList, apiKeysError, apiKeysLoaded, createApiKey, loadApiKeys, revokeApiKey } from './api-keys-state.ts';
import { fieldIssues } from '../../shared/field-issues.tsx';
import { ConfirmButton } from '../../shared/confirm-button.tsx';
import { dialerList, dialerOptions, loadDialerOptions, loadDialers } from '../dialers/dialers-state.ts';
import { copyText } from '../../shared/copy-text.ts';

/** The plaintext key, this once, with a copy button and how to use it. */
function NewKey({ name, apiKey, campaign, onClose }: { name: string; apiKey: string; campaign: string; onClose: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const copied = useSignal<'copied' | 'failed' | null>(null);
  return (
    <section class="card key-once" role="status" data-testid="api-key-created" aria-labelledby="key-once-title">
      <div class="card-title">
        <h3 id="key-once-title">Key “{name}” created</h3>
      </div>
      <p>
        <strong>Copy it now: it is shown this once.</strong> Only its hash is stored; a lost key cannot be shown again, revoke it and create another.
      </p>
      <div class="row">
        <input
          ref={input}
          class="mono grow"
          readOnly
          aria-label="The new API key"
          data-testid="api-key-plaintext"
          value={apiKey}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" data-testid="api-key-copy" onClick={async () => (copied.value = (await copyText(apiKey, input.current)) ? 'copied' : 'failed')}>
          Copy
        </button>
      </div>
      <p class="small" role="status" data-testid="api-key-copy-status">
        {copied.value === 'copied' && 'Copied to the clipboard.'}
        {copied.value === 'failed' && 'Could not copy: select the key and press Ctrl+C.'}
      </p>
      <p class="muted small">Send it in the X-API-Key header, for example:</p>
      <pre class="example">{`curl -H 'X-API-Key: ${apiKey}' -d destination=098344484 -d 'message=Hello' -d 'campaign=${campaign}' ${location.origin}/Integra/resources/SMS/SendSMS`}</pre>
      <div class="form-actions">
        <button type="button" class="primary" data-testid="api-key-done" onClick={onClose}>
          I stored it
        </button>
      </div>
    </section>
  );
}

function CreateKey({ onCreated }: { onCreated: (created: { apiKey: ApiKeyView; key: string }) => void }) {
  const name = useSignal('');
  const campaignIds = useSignal<number[]>([]);
  const dialerId = useSignal<number | null>(null);
  const securityGroupId = useSignal<number | null>(null);
  const busy = useSignal(false);
  const issues = useSignal<FieldIssue[]>([]);
  const error = useSignal<string | null>(null);
  const issuesAt = (path: string) => issues.value.filter((issue) => issue.path === path || issue.path.startsWith(`${path}.`));
  const issueList = (path: string) =>
    issuesAt(path).map((issue) => (
      <span key={issue.message} class="field-issues" data-testid="field-error" data-path={issue.path}>
        {issue.message}
      </span>
    ));
  const { campaigns, securityGroups } = dialerOptions.value;

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    busy.value = true;
    issues.value = [];
    error.value = null;
    try {
      const created = await createApiKey({
        name: name.value.trim(),
        campaignIds: campaignIds.value,
        dialerId: dialerId.value,
        securityGroupId: securityGroupId.value,
      });
      onCreated(created);
      name.value = '';
      campaignIds.value = [];
    } catch (failure) {
      issues.value = fieldIssues(failure);
      if (issues.value.length === 0) error.value = errorMessage(failure);
    } finally {
      busy.value = false;
    }
  }
  const toggle = (id: number, on: boolean) => (campaignIds.value = on ? [...campaignIds.value, id] : campaignIds.value.filter((c) => c !== id));
  return (
    <form class="card" data-testid="api-key-form" onSubmit={submit} noValidate aria-labelledby="new-key-title">
      <div class="card-title">
        <h3 id="new-key-title">New API key</h3>
      </div>
      <label class="field">
        Name
        <input
          data-testid="api-key-name"
          placeholder="e.g. Billing system"
          maxLength={100}
          value={name.value}
          onInput={(e) => (name.value = e.currentTarget.value)}
          aria-invalid={issuesAt('name').length ? true : undefined}
        />
        {issueList('name')}
      </label>
      <fieldset class="field group" aria-labelledby="key-campaigns-label">
        <span id="key-campaigns-label">
          Campaigns <span class="muted small">(none ticked: every campaign of its security group)</span>
        </span>
        <div class="pick-list channel-picks" data-testid="api-key-campaigns">
          {campaigns.map((campaign) => (
            <label key={campaign.id} class="pick-item" data-testid="api-key-campaign" data-campaign-id={campaign.id}>
              <input type="checkbox" checked={campaignIds.value.includes(campaign.id)} onChange={(e) => toggle(campaign.id, e.currentTarget.checked)} />
              <span class="grow">{campaign.name}</span>
            </label>
          ))}
          {campaigns.length === 0 && <p class="muted small pick-item">No campaigns yet.</p>}
        </div>
        {issueList('campaignIds')}
      </fieldset>
      <div class="field-grid">
        <label class="field">
          Dialer
          <select
            data-testid="api-key-dialer"
            value={dialerId.value ?? ''}
            onChange={(e) => (dialerId.value = e.currentTarget.value === '' ? null : Number(e.currentTarget.value))}
            aria-invalid={issuesAt('dialerId').length ? true : undefined}
          >
            <option value="">None: the key cannot send yet</option>
            {dialerList.value.map((dialer) => (
              <option key={dialer.id} value={dialer.id}>
                {dialer.name}
              </option>
            ))}
          </select>
          <span class="muted small">Its messages go through this dialer.</span>
          {issueList('dialerId')}
        </label>
        <label class="field">
          Security group
          <select
            data-testid="api-key-securityGroup"
            value={securityGroupId.value ?? ''}
            onChange={(e) => (securityGroupId.value = e.currentTarget.value === '' ? null : Number(e.currentTarget.value))}
          >
            <option value="">None</option>
            {securityGroups.map((group) => (
              <option key={group.id} value={group.id}>
                {group.name}
              </option>
            ))}
          </select>
          {issueList('securityGroupId')}
        </label>
      </div>
      <div class="form-actions">
        <button type="submit" class="primary" data-testid="api-key-create" disabled={busy.value || name.value.trim() === ''}>
          {busy.value ? 'Creating…' : 'Create key'}
        </button>
      </div>
      {error.value && (
        <p class="form-error" role="alert" data-testid="api-key-error">
          {error.value}
        </p>
      )}
    </form>
  );
}

function KeyRow({ apiKey, campaignName, dialerName }: { apiKey: ApiKeyView; campaignName: (id: number) => string; dialerName: (id: number) => string }) {
  const error = useSignal<string | null>(null);
  async function revoke() {
    try {
      await revokeApiKey(apiKey.id);
    } catch (failure) {
      error.value = errorMessage(failure);
    }
  }
  const revoked = apiKey.revokedAt !== null;
  return (
    <tr class={revoked ? 'revoked' : undefined} data-testid="api-key-row" data-key-id={apiKey.id} data-revoked={revoked ? 'true' : 'false'}>
      <th scope="row">
        {apiKey.name}
        <div class="mono muted small">{apiKey.prefix}…</div>
      </th>
      <td class="wrap">{apiKey.campaignIds.length ? apiKey.campaignIds.map(campaignName).join(', ') : <span class="muted">Every campaign</span>}</td>
      <td>{apiKey.dialerId === null ? <span class="muted">—</span> : dialerName(apiKey.dialerId)}</td>
      <td class="small" title={apiKey.lastUsedAt ? formatFullTime(apiKey.lastUsedAt) : undefined}>
        {apiKey.lastUsedAt ? formatMessageTime(apiKey.lastUsedAt) : <span class="muted">Never</span>}
      </td>
      <td>
        {revoked ? (
          <span class="badge badge-disabled" title={formatFullTime(apiKey.revokedAt!)}>
            Revoked
          </span>
        ) : (
          <ConfirmButton action="Revoke" keep="Keep" ghost testId="api-key-revoke" onConfirm={revoke} />
        )}
        {error.value && <div class="inline-error">{error.value}</div>}
      </td>
    </tr>
  );
}

/** The admins' API keys of the SendSMS web service: list, create (the key shown once), revoke. */
export function ApiKeysPage() {
  const created = useSignal<{ apiKey: ApiKeyView; key: string } | null>(null);
  useEffect(() => {
    void loadApiKeys();
    void loadDialers();
    void loadDialerOptions(true);
  }, []);
  const campaignName = (id: number) => dialerOptions.value.campaigns.find((c) => c.id === id)?.name ?? `#${id}`;
  const dialerName = (id: number) => dialerList.value.find((d) => d.id === id)?.name ?? `#${id}`;
  return (
    <main class="members-page api-keys-page" data-testid="api-keys-page">
      <header class="members-bar">
        <h2>API keys</h2>
        <span class="muted small">For the SendSMS web service and /api/v1/messages: each key sends for its campaigns, through its dialer.</span>
      </header>
      <div class="dncr-columns">
        <section class="members-column" aria-label="API keys">
          {apiKeysError.value && <p class="inline-error">{apiKeysError.value}</p>}
          <div class="column-list">
            <table class="channels-table" data-testid="api-key-list" data-loaded={apiKeysLoaded.value ? 'true' : 'false'}>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Campaigns</th>
                  <th scope="col">Dialer</th>
                  <th scope="col">Last used</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {apiKeyList.value.map((apiKey) => (
                  <KeyRow key={apiKey.id} apiKey={apiKey} campaignName={campaignName} dialerName={dialerName} />
                ))}
              </tbody>
            </table>
            {apiKeysLoaded.value && apiKeyList.value.length === 0 && <p class="empty-list muted">No keys yet.</p>}
          </div>
        </section>
        <div class="dncr-side">
          {created.value && (
            <NewKey
              name={created.value.apiKey.name}
              apiKey={created.value.key}
              campaign={created.value.apiKey.campaignIds.length ? campaignName(created.value.apiKey.campaignIds[0]!) : '<campaign>'}
              onClose={() => (created.value = null)}
            />
          )}
          <CreateKey onCreated={(result) => (created.value = result)} />
        </div>
      </div>
    </main>
  );
}
