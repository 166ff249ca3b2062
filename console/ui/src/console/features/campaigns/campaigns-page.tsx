import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { CampaignView } from '../../../../../../contract/campaigns.ts';
import { ApiRequestError, errorMessage } from '../../../api-client.ts';
import { strategyLabel } from './campaign-draft.ts';
import { CampaignForm } from './campaign-form.tsx';
import {
  campaignList,
  campaignsError,
  campaignsLoaded,
  campaignsLoading,
  deleteCampaign,
  loadCampaignOptions,
  loadCampaigns,
  optionsError,
  updateCampaign,
} from './campaigns-state.ts';
import { ConfirmButton } from '../../shared/confirm-button.tsx';
import { campaignsLink, route, showCampaigns } from '../../shared/console-route.ts';
import { RecordPanel } from '../../shared/record-panel.tsx';
import { me } from '../../shared/session-state.ts';

const isAdmin = () => me.value?.role === 'admin';

function CampaignRow({ campaign, active }: { campaign: CampaignView; active: boolean }) {
  return (
    <tr class={active ? 'active' : undefined} data-testid="campaign-row" data-campaign-id={campaign.id} aria-current={active ? 'true' : undefined}>
      <th scope="row">
        <a href={campaignsLink(campaign.id)} data-testid="campaign-link">
          {campaign.name}
        </a>
      </th>
      <td class="wrap mono" data-testid="campaign-did-ports">
        {campaign.didPorts.length ? campaign.didPorts.join(', ') : <span class="muted">—</span>}
      </td>
      <td class="wrap" data-testid="campaign-channel-names">
        {campaign.channels.length ? campaign.channels.map((channel) => channel.name).join(', ') : <span class="muted small">No channel</span>}
      </td>
      <td data-testid="campaign-strategy-label">{strategyLabel(campaign.strategy)}</td>
      <td>
        <span class={campaign.enabled ? 'badge badge-enabled' : 'badge badge-disabled'}>{campaign.enabled ? 'Enabled' : 'Disabled'}</span>
      </td>
      <td class="number" data-testid="campaign-member-count">
        {campaign.memberCount}
      </td>
    </tr>
  );
}

function CampaignTable({ selected }: { selected: number | 'new' | null }) {
  const list = campaignList.value;
  return (
    <section class="channel-list" aria-labelledby="campaigns-title">
      <header class="list-header">
        <h2 id="campaigns-title">Campaigns</h2>
        {isAdmin() && (
          <a class="button-link primary" href={campaignsLink('new')} data-testid="new-campaign">
            New campaign
          </a>
        )}
      </header>
      {campaignsError.value && (
        <p class="inline-error" role="alert">
          {campaignsError.value}
        </p>
      )}
      <div class="table-scroll">
        <table class="channels-table campaigns-table" data-testid="campaign-list" data-loaded={campaignsLoaded.value ? 'true' : 'false'}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">DID-Ports</th>
              <th scope="col">Channels</th>
              <th scope="col">Strategy</th>
              <th scope="col">Enabled</th>
              <th scope="col" class="number">
                Members
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((campaign) => (
              <CampaignRow key={campaign.id} campaign={campaign} active={campaign.id === selected} />
            ))}
          </tbody>
        </table>
      </div>
      {list.length === 0 && campaignsLoaded.value && (
        <p class="empty-list muted">{isAdmin() ? 'No campaigns yet: create the first one.' : 'No campaigns in your security groups.'}</p>
      )}
      {!campaignsLoaded.value && campaignsLoading.value && <p class="empty-list muted">Loading…</p>}
    </section>
  );
}

/** Admins delete a campaign in two clicks; one with conversations on record is refused (409), and can be disabled instead. */
function DeleteCampaign({ campaign }: { campaign: CampaignView }) {
  const refusal = useSignal<string | null>(null);
  const disabling = useSignal(false);
  async function remove() {
    refusal.value = null;
    try {
      await deleteCampaign(campaign.id);
      showCampaigns();
    } catch (error) {
      refusal.value = error instanceof ApiRequestError && error.status === 409 ? error.message : errorMessage(error);
    }
  }
  async function disable() {
    disabling.value = true;
    try {
      await updateCampaign(campaign.id, { enabled: false });
      refusal.value = null;
    } catch (error) {
      refusal.value = errorMessage(error);
    } finally {
      disabling.value = false;
    }
  }
  return (
    <>
      <ConfirmButton action="Delete" question={`Delete “${campaign.name}”?`} testId="campaign-delete" onConfirm={remove} />
      {refusal.value && (
        <div class="form-error banner panel-banner" role="alert" data-testid="campaign-delete-refused">
          <span>{refusal.value}</span>
          {campaign.enabled && (
            <button type="button" data-testid="campaign-disable-instead" disabled={disabling.value} onClick={() => void disable()}>
              Disable it
            </button>
          )}
        </div>
      )}
    </>
  );
}

function CampaignHeader({ campaign }: { campaign: CampaignView | null }) {
  return (
    <header class="panel-header">
      <a class="ghost back-link" href={campaignsLink()} aria-label="Back to the campaign list">
        ←
      </a>
      <div class="grow">
        <h2 data-testid="campaign-title">{campaign ? campaign.name : 'New campaign'}</h2>
        <p class="muted small">
          {campaign ? (
            <>
              {strategyLabel(campaign.strategy)} · {campaign.memberCount} {campaign.memberCount === 1 ? 'member' : 'members'} ·{' '}
              <a href="#/members">Members page</a>
            </>
          ) : (
            'Only the name is needed; the rest starts from working defaults. Add members on the Members page.'
          )}
        </p>
      </div>
      {campaign && (
        <div class="panel-badges">
          <span class={campaign.enabled ? 'badge badge-enabled' : 'badge badge-disabled'} data-testid="campaign-enabled-badge">
            {campaign.enabled ? 'Enabled' : 'Disabled'}
          </span>
        </div>
      )}
      {campaign && isAdmin() && <DeleteCampaign key={campaign.id} campaign={campaign} />}
    </header>
  );
}

/** One campaign's pane (a new one's when null): its header and settings. */
function CampaignPanel({ campaign }: { campaign: CampaignView | null }) {
  return (
    <div class="channel-panel campaign-panel" data-testid="campaign-detail" data-campaign-id={campaign?.id ?? 'new'}>
      <CampaignHeader campaign={campaign} />
      {optionsError.value && <p class="inline-error">{optionsError.value}</p>}
      <CampaignForm key={campaign?.id ?? 'new'} campaign={campaign} />
    </div>
  );
}

/** The Campaigns page (supervisors and admins; admins alone create and delete): the list, and one campaign's settings. */
export function CampaignsPage() {
  useEffect(() => {
    void loadCampaigns();
    void loadCampaignOptions(isAdmin());
  }, []);
  const current = route.value;
  const selected = current.page === 'campaigns' ? current.campaign : null;
  return (
    <main class={selected === null ? 'channels-page campaigns-page showing-list' : 'channels-page campaigns-page showing-panel'} data-testid="campaigns-page">
      <CampaignTable selected={selected} />
      <RecordPanel
        selected={selected}
        list={campaignList.value}
        loaded={campaignsLoaded.value}
        noun="campaign"
        prompt={`Pick a campaign to see and change its settings${isAdmin() ? ', or create a new one' : ''}.`}
        isAdmin={isAdmin()}
      >
        {(campaign) => <CampaignPanel campaign={campaign} />}
      </RecordPanel>
    </main>
  );
}
