import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { CampaignMember } from '../../../../../../contract/campaigns.ts';
import type { Presence } from '../../../../../../contract/common.ts';
import { strategyLabel } from '../campaigns/campaign-draft.ts';
import { campaignList, campaignsError, campaignsLoaded } from '../campaigns/campaigns-state.ts';
import { campaignsLink } from '../../shared/console-route.ts';
import {
  agentList,
  agentsLoaded,
  changeMembership,
  loadMembersPage,
  membersBusy,
  membersError,
  membersLoading,
  membersNotice,
  membersOf,
  moveMember,
  orderDraft,
  orderedCampaign,
  pickedAgents,
  pickedCampaigns,
  saveOrder,
  shownOrder,
  toggleAgent,
  toggleAllAgents,
  toggleCampaign,
} from './members-state.ts';

function presenceText(presence: Presence): string {
  if (presence.state === 'break') return presence.breakName ? `On break: ${presence.breakName}` : 'On break';
  return presence.state === 'available' ? 'Available' : 'Offline';
}

function PresenceDot({ presence }: { presence: Presence }) {
  return <span class={`dot presence-dot presence-dot-${presence.state}`} title={presenceText(presence)} aria-label={presenceText(presence)} role="img" />;
}

function CampaignColumn() {
  const picked = pickedCampaigns.value;
  return (
    <section class="members-column" aria-labelledby="members-campaigns-title">
      <header class="column-header">
        <h2 id="members-campaigns-title">Campaigns</h2>
        <span class="muted small">{picked.length ? `${picked.length} selected` : 'Select one or more'}</span>
      </header>
      {campaignsError.value && <p class="inline-error">{campaignsError.value}</p>}
      <fieldset class="pick-list column-list group" data-testid="member-campaigns" aria-label="Campaigns">
        {campaignList.value.map((campaign) => (
          <label
            key={campaign.id}
            class={picked.includes(campaign.id) ? 'pick-item picked' : 'pick-item'}
            data-testid="member-campaign"
            data-campaign-id={campaign.id}
          >
            <input type="checkbox" checked={picked.includes(campaign.id)} onChange={() => toggleCampaign(campaign.id)} />
            <span class="grow">
              <span class="pick-name">{campaign.name}</span>
              <span class="muted small">
                {strategyLabel(campaign.strategy)}
                {!campaign.enabled && ' · disabled'}
              </span>
            </span>
            <span class="count" title="Members">
              {campaign.memberCount}
            </span>
          </label>
        ))}
        {campaignsLoaded.value && campaignList.value.length === 0 && <p class="muted small empty-list">No campaigns in your security groups.</p>}
      </fieldset>
    </section>
  );
}

function AgentColumn() {
  const filter = useSignal('');
  const picked = pickedAgents.value;
  const campaigns = pickedCampaigns.value;
  const words = filter.value.trim().toLowerCase();
  const shown = agentList.value.filter((agent) => !words || `${agent.displayName} ${agent.username}`.toLowerCase().includes(words));
  const canChange = picked.length > 0 && campaigns.length > 0 && !membersBusy.value;
  return (
    <section class="members-column" aria-labelledby="members-agents-title">
      <header class="column-header">
        <h2 id="members-agents-title">Agents</h2>
        <button type="button" class="ghost small" disabled={shown.length === 0} onClick={() => toggleAllAgents(shown.map((agent) => agent.id))}>
          {shown.length > 0 && shown.every((agent) => picked.includes(agent.id)) ? 'Select none' : 'Select all'}
        </button>
      </header>
      <input
        class="column-filter"
        type="search"
        placeholder="Filter by name"
        aria-label="Filter agents"
        value={filter.value}
        onInput={(e) => (filter.value = e.currentTarget.value)}
      />
      <fieldset class="pick-list column-list group" data-testid="member-agents" aria-label="Agents">
        {shown.map((agent) => {
          const inPicked = campaigns.filter((id) => agent.campaignIds.includes(id)).length;
          return (
            <label key={agent.id} class={picked.includes(agent.id) ? 'pick-item picked' : 'pick-item'} data-testid="member-agent" data-user-id={agent.id}>
              <input type="checkbox" checked={picked.includes(agent.id)} onChange={() => toggleAgent(agent.id)} />
              <PresenceDot presence={agent.presence} />
              <span class="grow">
                <span class="pick-name">{agent.displayName}</span>
                <span class="muted small">
                  {agent.username}
                  {agent.role === 'supervisor' && ' · supervisor'}
                  {!agent.enabled && ' · disabled'}
                </span>
              </span>
              {campaigns.length > 0 && inPicked > 0 && (
                <span class="badge member-badge" title="Member of the selected campaigns">
                  {campaigns.length === 1 ? 'member' : `in ${inPicked}/${campaigns.length}`}
                </span>
              )}
            </label>
          );
        })}
        {agentsLoaded.value && shown.length === 0 && <p class="muted small empty-list">{words ? 'Nobody matches.' : 'No agents you can see.'}</p>}
      </fieldset>
      <footer class="column-actions">
        <button type="button" class="primary" data-testid="members-add" disabled={!canChange} onClick={() => void changeMembership('add')}>
          Add
        </button>
        <button type="button" data-testid="members-remove" disabled={!canChange} onClick={() => void changeMembership('remove')}>
          Remove
        </button>
        <span class="muted small">
          {picked.length} {picked.length === 1 ? 'agent' : 'agents'} → {campaigns.length} {campaigns.length === 1 ? 'campaign' : 'campaigns'}
        </span>
      </footer>
    </section>
  );
}

function MemberItem(props: { member: CampaignMember; index?: number; count?: number; campaignId?: number }) {
  const { member, index, count, campaignId } = props;
  const ordering = index !== undefined && count !== undefined && campaignId !== undefined;
  return (
    <li class="member-item" data-testid="member" data-user-id={member.userId}>
      {ordering && <span class="position">{index + 1}</span>}
      <PresenceDot presence={member.presence} />
      <span class="grow">
        <span class="pick-name">{member.displayName}</span> <span class="muted small">{member.username}</span>
      </span>
      {ordering && (
        <span class="order-buttons">
          <button
            type="button"
            class="ghost"
            data-testid="member-up"
            aria-label={`Move ${member.displayName} up`}
            disabled={index === 0 || membersBusy.value}
            onClick={() => moveMember(campaignId, member.userId, -1)}
          >
            ↑
          </button>
          <button
            type="button"
            class="ghost"
            data-testid="member-down"
            aria-label={`Move ${member.displayName} down`}
            disabled={index === count - 1 || membersBusy.value}
            onClick={() => moveMember(campaignId, member.userId, 1)}
          >
            ↓
          </button>
        </span>
      )}
    </li>
  );
}

function OneCampaignMembers({ campaignId }: { campaignId: number }) {
  const campaign = campaignList.value.find((c) => c.id === campaignId);
  const members = shownOrder(campaignId);
  const dirty = orderDraft.value !== null;
  return (
    <div class="member-group" data-testid="member-group" data-campaign-id={campaignId}>
      <p class="hint small">
        The order matters for the <strong>Linear</strong> strategy (the first member with room gets the conversation) and sets the turns of{' '}
        <strong>Round robin</strong>.{campaign && <> This campaign uses {strategyLabel(campaign.strategy)}.</>}
      </p>
      <ol class="member-list" data-testid="member-order">
        {members.map((member, index) => (
          <MemberItem key={member.userId} member={member} index={index} count={members.length} campaignId={campaignId} />
        ))}
      </ol>
      {members.length === 0 && !membersLoading.value && <p class="muted small empty-list">No members yet: select agents and press Add.</p>}
      <div class="form-actions">
        <button type="button" disabled={!dirty || membersBusy.value} onClick={() => (orderDraft.value = null)}>
          Undo
        </button>
        <button
          type="button"
          class="primary"
          data-testid="members-save-order"
          disabled={!dirty || membersBusy.value}
          onClick={() => void saveOrder(campaignId)}
        >
          Save order
        </button>
      </div>
    </div>
  );
}

function MemberColumn() {
  const picked = pickedCampaigns.value;
  const one = orderedCampaign.value;
  const title = one === null ? 'Members' : `Members of ${campaignList.value.find((c) => c.id === one)?.name ?? 'the campaign'}`;
  return (
    <section class="members-column" aria-labelledby="members-members-title" data-testid="member-column" data-loading={membersLoading.value ? 'true' : 'false'}>
      <header class="column-header">
        <h2 id="members-members-title">{title}</h2>
        {one !== null && (
          <a class="small" href={campaignsLink(one)}>
            Settings
          </a>
        )}
      </header>
      <div class="column-list">
        {picked.length === 0 && <p class="muted small empty-list">Select a campaign to see its members; select one alone to change their order.</p>}
        {one !== null && <OneCampaignMembers campaignId={one} />}
        {picked.length > 1 &&
          picked.map((id) => {
            const members = membersOf.value.get(id) ?? [];
            return (
              <div key={id} class="member-group" data-testid="member-group" data-campaign-id={id}>
                <h3>
                  {campaignList.value.find((c) => c.id === id)?.name} <span class="muted small">{members.length}</span>
                </h3>
                <ul class="member-list">
                  {members.map((member) => (
                    <MemberItem key={member.userId} member={member} />
                  ))}
                </ul>
                {members.length === 0 && <p class="muted small">No members.</p>}
              </div>
            );
          })}
      </div>
    </section>
  );
}

/** The seed's Members screen (supervisors and admins): campaigns, agents, and the members of the selected campaigns. */
export function MembersPage() {
  useEffect(() => {
    void loadMembersPage();
  }, []);
  return (
    <main class="members-page" data-testid="members-page">
      <header class="members-bar">
        <h2>Members</h2>
        <span class="muted small">Select campaigns and agents, then Add or Remove.</span>
        <span class="spacer" />
        {(membersError.value || membersNotice.value) && (
          <span class={membersError.value ? 'inline-error' : 'saved-note'} role={membersError.value ? 'alert' : 'status'} data-testid="members-status">
            {membersError.value ?? membersNotice.value}
          </span>
        )}
        <button type="button" class="ghost" onClick={() => void loadMembersPage()} title="Read campaigns, agents and presence again">
          Refresh
        </button>
      </header>
      <div class="members-columns">
        <CampaignColumn />
        <AgentColumn />
        <MemberColumn />
      </div>
    </main>
  );
}
