import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { BotFlowSummary, BotFlowView } from '../../../../../../contract/bot-flows.ts';
import { errorMessage } from '../../../api-client.ts';
import { formatFullTime, formatShortTime } from '../../../format-time.ts';
import { FlowEditor } from './bot-flow-editor.tsx';
import { fetchFlow, flowList, flowsError, flowsLoaded, flowsLoading, loadFlows } from './bot-flows-state.ts';
import { botFlowsLink, route } from '../../shared/console-route.ts';
import { me } from '../../shared/session-state.ts';

function CampaignNames({ flow }: { flow: BotFlowSummary }) {
  if (flow.campaigns.length === 0) return <span class="muted small">Not used</span>;
  return <span class="wrap">{flow.campaigns.map((campaign) => campaign.name).join(', ')}</span>;
}

function FlowRow({ flow, active }: { flow: BotFlowSummary; active: boolean }) {
  return (
    <tr class={active ? 'active' : undefined} data-testid="flow-row" data-flow-id={flow.id} aria-current={active ? 'true' : undefined}>
      <th scope="row">
        <a href={botFlowsLink(flow.id)} data-testid="flow-link">
          {flow.name}
        </a>
      </th>
      <td data-testid="flow-version" title={`Published ${formatFullTime(flow.createdAt)}`}>
        v{flow.version} <small class="muted">{formatShortTime(flow.createdAt)}</small>
      </td>
      <td class="wrap" data-testid="flow-campaigns">
        <CampaignNames flow={flow} />
      </td>
    </tr>
  );
}

function FlowTable({ selected }: { selected: number | 'new' | null }) {
  const list = flowList.value;
  return (
    <section class="channel-list" aria-labelledby="flows-title">
      <header class="list-header">
        <h2 id="flows-title">Bot flows</h2>
        {me.value?.role === 'admin' && (
          <a class="button-link primary" href={botFlowsLink('new')} data-testid="new-flow">
            New flow
          </a>
        )}
      </header>
      {flowsError.value && (
        <p class="inline-error" role="alert" data-testid="flows-error">
          {flowsError.value}
        </p>
      )}
      <div class="table-scroll">
        <table class="channels-table flows-table" data-testid="flow-list" data-loaded={flowsLoaded.value ? 'true' : 'false'}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Version</th>
              <th scope="col">Campaigns</th>
            </tr>
          </thead>
          <tbody>
            {list.map((flow) => (
              <FlowRow key={flow.id} flow={flow} active={flow.id === selected} />
            ))}
          </tbody>
        </table>
      </div>
      {list.length === 0 && flowsLoaded.value && <p class="empty-list muted">No flows yet. Campaigns without one greet and hand over to an agent.</p>}
      {!flowsLoaded.value && flowsLoading.value && <p class="empty-list muted">Loading…</p>}
    </section>
  );
}

/** Loads one flow version for the panel; a newer selection wins over a slow answer. */
function useFlow(id: number) {
  const flow = useSignal<BotFlowView | null>(null);
  const error = useSignal<string | null>(null);
  useEffect(() => {
    let current = true;
    flow.value = null;
    error.value = null;
    fetchFlow(id).then(
      (loaded) => {
        if (current) flow.value = loaded;
      },
      (failure: unknown) => {
        if (current) error.value = errorMessage(failure);
      },
    );
    return () => {
      current = false;
    };
  }, [id]);
  return { flow: flow.value, error: error.value };
}

function OneFlow({ id }: { id: number }) {
  const { flow, error } = useFlow(id);
  if (error) {
    return (
      <div class="channel-panel empty-state">
        <p class="inline-error" role="alert">
          {error}
        </p>
      </div>
    );
  }
  if (!flow) return <div class="channel-panel empty-state muted">Loading…</div>;
  return <FlowEditor key={flow.id} flow={flow} />;
}

function SidePanel({ selected }: { selected: number | 'new' | null }) {
  if (selected === 'new') {
    if (me.value?.role !== 'admin') {
      return (
        <div class="channel-panel empty-state">
          <p class="muted">Only admins publish flows.</p>
        </div>
      );
    }
    return <FlowEditor key="new" flow={null} />;
  }
  if (selected === null) {
    return (
      <div class="channel-panel empty-state">
        <p class="muted">Pick a flow to read its definition and try it with a customer's messages.</p>
      </div>
    );
  }
  return <OneFlow key={selected} id={selected} />;
}

/** The Bot flows page (supervisors and admins): every flow's latest version, one flow's JSON, and a dry run. */
export function BotFlowsPage() {
  useEffect(() => {
    void loadFlows();
  }, []);
  const current = route.value;
  const selected = current.page === 'bot-flows' ? current.flow : null;
  return (
    <main class={selected === null ? 'channels-page flows-page showing-list' : 'channels-page flows-page showing-panel'} data-testid="bot-flows-page">
      <FlowTable selected={selected} />
      <SidePanel selected={selected} />
    </main>
  );
}
