import { useEffect } from 'preact/hooks';
import type { CampaignMonitor } from '../../../../../../contract/routing.ts';
import {
  campaignFilter,
  campaignMonitors,
  loadMonitor,
  monitorError,
  monitorLoaded,
  shownCampaigns,
  shownOnHold,
  spied,
  spyError,
  stopSpying,
} from './monitor-state.ts';
import { formatDuration, secondsSince, useNow } from '../../shared/elapsed.ts';
import { StatusBadge } from '../../shared/status-badge.tsx';
import { Transcript } from '../../shared/transcript.tsx';
import { AgentsTable } from './monitor-agents.tsx';

const STRATEGY_LABELS: Record<CampaignMonitor['strategy'], string> = {
  round_robin: 'Round robin',
  longest_idle: 'Longest idle',
  fewest_active: 'Fewest active',
  random: 'Random',
  linear: 'Linear',
  offer_all: 'Offer to all',
};

const orDash = (value: number | null, format: (n: number) => string) => (value === null ? '—' : format(value));

function Figure(props: { label: string; value: string; name: string; alert?: boolean; title?: string }) {
  return (
    <div class={props.alert ? 'figure alert' : 'figure'} data-testid={`figure-${props.name}`} title={props.title}>
      <span class="figure-value">{props.value}</span>
      <span class="figure-label">{props.label}</span>
    </div>
  );
}

function CampaignCard({ campaign, now }: { campaign: CampaignMonitor; now: number }) {
  const longest = campaign.oldestQueuedAt ? formatDuration(secondsSince(campaign.oldestQueuedAt, now)) : '—';
  return (
    <article class="monitor-card" data-testid="campaign-monitor" data-campaign-id={campaign.campaignId} aria-label={campaign.name}>
      <header class="monitor-card-head">
        <h3>{campaign.name}</h3>
        <span class="muted small">{STRATEGY_LABELS[campaign.strategy]}</span>
        {!campaign.enabled && <span class="badge badge-disabled">Disabled</span>}
      </header>
      <div class="figure-caption">Now</div>
      <div class="figures">
        <Figure name="waiting" label="Waiting" value={String(campaign.waiting)} alert={campaign.waiting > 0} />
        <Figure name="longest-wait" label="Longest wait" value={longest} alert={campaign.waiting > 0} />
        <Figure name="active" label="Active" value={String(campaign.active)} />
        <Figure name="over-chat-time" label="Over chat time" value={String(campaign.overChatTime)} alert={campaign.overChatTime > 0} />
      </div>
      <div class="figure-caption">Today ({campaign.timeZone})</div>
      <div class="figures">
        <Figure name="completed" label="Completed" value={String(campaign.completedToday)} />
        <Figure name="abandoned" label="Abandoned" value={String(campaign.abandonedToday)} />
        <Figure
          name="service-level"
          label="Service level"
          value={orDash(campaign.serviceLevelPercent, (n) => `${Math.round(n)}%`)}
          title="Today's waits answered within the campaign's service-level time"
        />
        <Figure name="asa" label="ASA" value={orDash(campaign.asaSeconds, formatDuration)} title="Average speed of answer, today" />
        <Figure name="aht" label="AHT" value={orDash(campaign.ahtSeconds, formatDuration)} title="Average handle time, today" />
      </div>
    </article>
  );
}

function OnHoldTable({ now }: { now: number }) {
  const waiting = shownOnHold.value;
  return (
    <section class="monitor-section" aria-labelledby="on-hold-title">
      <h2 id="on-hold-title">Customers on hold</h2>
      <div class="table-scroll">
        <table class="channels-table monitor-table" data-testid="on-hold-table">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Name</th>
              <th scope="col">Campaign</th>
              <th scope="col">Waiting</th>
            </tr>
          </thead>
          <tbody>
            {waiting.map((hold) => (
              <tr key={hold.conversationId} data-testid="on-hold-row" data-conversation-id={hold.conversationId}>
                <th scope="row">
                  {hold.address}
                  {hold.priority > 0 && <span class="badge badge-priority">Priority {hold.priority}</span>}
                </th>
                <td>{hold.name ?? <span class="muted">—</span>}</td>
                <td>{hold.campaign}</td>
                <td class="mono">{formatDuration(secondsSince(hold.queuedAt, now))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {waiting.length === 0 && monitorLoaded.value && <p class="empty-list muted">Nobody is waiting.</p>}
    </section>
  );
}

/** A conversation watched read-only: the transcript, live, with no reply box. */
function SpyPanel() {
  const conversation = spied.value;
  if (!conversation && !spyError.value) return null;
  return (
    <aside class="spy-panel" aria-label="Spying on a conversation" data-testid="spy-panel" data-conversation-id={conversation?.id}>
      <header class="conversation-header">
        <div class="header-main">
          <div class="header-campaign">{conversation?.campaign?.name ?? 'Conversation'}</div>
          {conversation && (
            <div class="header-customer">
              <span data-testid="spy-customer">{conversation.customer.address}</span>
              {conversation.customer.name && <span class="muted"> · {conversation.customer.name}</span>}
              <span class="muted"> · {conversation.assignedTo ? `with ${conversation.assignedTo.displayName}` : conversation.channel.name}</span>
            </div>
          )}
        </div>
        {conversation && <StatusBadge status={conversation.status} />}
        <span class="badge badge-readonly">Read-only</span>
        <button type="button" class="ghost" aria-label="Stop watching" data-testid="spy-close" onClick={stopSpying}>
          ×
        </button>
      </header>
      {spyError.value && (
        <p class="inline-error" role="alert">
          {spyError.value}
        </p>
      )}
      {conversation && <Transcript conversationId={conversation.id} messages={conversation.messages} />}
    </aside>
  );
}

/** Supervisors' live Monitor: per campaign its figures, the agents and the customers on hold, updated by push. */
export function MonitorPage() {
  const now = useNow();
  useEffect(() => {
    void loadMonitor();
  }, []);
  const all = campaignMonitors.value;
  const spying = spied.value !== null || spyError.value !== null;
  return (
    <main class={spying ? 'monitor-page spying' : 'monitor-page'} data-testid="monitor-page" data-loaded={monitorLoaded.value ? 'true' : 'false'}>
      <div class="monitor-scroll">
        <header class="monitor-head">
          <h2>Monitor</h2>
          <select
            data-testid="monitor-campaign-filter"
            aria-label="Campaign"
            value={campaignFilter.value === null ? '' : String(campaignFilter.value)}
            onChange={(e) => (campaignFilter.value = e.currentTarget.value === '' ? null : Number(e.currentTarget.value))}
          >
            <option value="">All campaigns</option>
            {all.map((campaign) => (
              <option key={campaign.campaignId} value={String(campaign.campaignId)}>
                {campaign.name}
              </option>
            ))}
          </select>
          {monitorError.value && (
            <span class="inline-error" role="alert">
              {monitorError.value}
            </span>
          )}
        </header>
        <div class="monitor-body">
          <div class="monitor-cards">
            {shownCampaigns.value.map((campaign) => (
              <CampaignCard key={campaign.campaignId} campaign={campaign} now={now} />
            ))}
            {all.length === 0 && monitorLoaded.value && <p class="muted">No campaigns to watch.</p>}
            {!monitorLoaded.value && !monitorError.value && <p class="muted">Loading…</p>}
          </div>
          <AgentsTable now={now} />
          <OnHoldTable now={now} />
        </div>
      </div>
      <SpyPanel />
    </main>
  );
}
