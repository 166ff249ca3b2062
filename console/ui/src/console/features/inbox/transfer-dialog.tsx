import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { AgentView, CampaignView } from '../../../../../../contract/campaigns.ts';
import type { ConversationDetail, ConversationSummary } from '../../../../../../contract/conversations.ts';
import { api, errorMessage } from '../../../api-client.ts';
import { applySummary } from './conversation-state.ts';
import { upsertConversation } from './inbox-state.ts';
import { canSeeAll, me } from '../../shared/session-state.ts';

type Target = 'agent' | 'campaign';
type Option = { id: number; label: string };

const presenceLabel = { available: 'available', break: 'on break', offline: 'offline' } as const;

/** Who a conversation can go to: supervisors pick an agent of its campaign or a campaign; agents a campaign. */
async function loadOptions(conversation: ConversationDetail, target: Target): Promise<Option[]> {
  if (target === 'agent') {
    const { agents } = await api.get<{ agents: AgentView[] }>('/api/agents');
    const campaignId = conversation.campaign?.id;
    return agents
      .filter((agent) => agent.enabled && agent.id !== conversation.assignedTo?.id && campaignId !== undefined && agent.campaignIds.includes(campaignId))
      .map((agent) => ({ id: agent.id, label: `${agent.displayName} (${presenceLabel[agent.presence.state]})` }));
  }
  const { campaigns } = await api.get<{ campaigns: CampaignView[] }>('/api/campaigns');
  return campaigns
    .filter((campaign) => campaign.enabled && campaign.id !== conversation.campaign?.id)
    .map((campaign) => ({ id: campaign.id, label: campaign.name }));
}

/** The Transfer dialog: to an agent or a campaign, with a note the next agent sees; a refusal shows inside it. */
export function TransferDialog({ conversation, onClose }: { conversation: ConversationDetail; onClose: () => void }) {
  const supervisor = canSeeAll();
  const target = useSignal<Target>(supervisor ? 'agent' : 'campaign');
  const options = useSignal<Option[] | null>(null);
  const chosen = useSignal('');
  const note = useSignal('');
  const error = useSignal<string | null>(null);
  const sending = useSignal(false);
  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let current = true;
    options.value = null;
    chosen.value = '';
    loadOptions(conversation, target.value).then(
      (loaded) => {
        if (!current) return;
        options.value = loaded;
        chosen.value = loaded[0] ? String(loaded[0].id) : '';
      },
      (failure: unknown) => {
        if (current) error.value = errorMessage(failure);
      },
    );
    return () => {
      current = false;
    };
  }, [target.value, conversation.id]);

  useEffect(() => {
    dialog.current?.querySelector<HTMLElement>('select, textarea')?.focus();
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    if (sending.value || chosen.value === '') return;
    sending.value = true;
    error.value = null;
    const id = Number(chosen.value);
    const text = note.value.trim();
    const body = { ...(target.value === 'agent' ? { toUserId: id } : { toCampaignId: id }), ...(text ? { note: text } : {}) };
    try {
      const summary = await api.post<ConversationSummary>(`/api/conversations/${conversation.id}/transfer`, body);
      applySummary(summary);
      upsertConversation(summary);
      onClose();
    } catch (failure) {
      error.value = errorMessage(failure);
    } finally {
      sending.value = false;
    }
  }

  const list = options.value;
  const empty =
    target.value === 'agent' ? `No other agent is a member of ${conversation.campaign?.name ?? 'this campaign'}.` : 'No other campaign to send it to.';
  return (
    // Only the dimmed page: a click on it (outside the dialog) closes the dialog, as its Cancel button does.
    <div class="modal-backdrop" role="none" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="modal transfer-dialog" role="dialog" aria-modal="true" aria-labelledby="transfer-title" data-testid="transfer-dialog" ref={dialog}>
        <form onSubmit={(e) => void submit(e)}>
          <h2 id="transfer-title">Transfer {conversation.customer.address}</h2>
          {supervisor && (
            <fieldset class="toggle group" aria-label="Transfer to">
              {(['agent', 'campaign'] as const).map((which) => (
                <button
                  key={which}
                  type="button"
                  class={target.value === which ? 'selected' : ''}
                  aria-pressed={target.value === which}
                  data-testid={`transfer-to-${which}`}
                  onClick={() => {
                    error.value = null;
                    target.value = which;
                  }}
                >
                  {which === 'agent' ? 'To an agent' : 'To a campaign'}
                </button>
              ))}
            </fieldset>
          )}
          <label class="field" for="transfer-target">
            <span>{target.value === 'agent' ? 'Agent' : 'Campaign'}</span>
            {list === null ? (
              <span class="muted small">Loading…</span>
            ) : list.length === 0 ? (
              <span class="muted small">{empty}</span>
            ) : (
              <select id="transfer-target" data-testid="transfer-target" value={chosen.value} onChange={(e) => (chosen.value = e.currentTarget.value)}>
                {list.map((option) => (
                  <option key={option.id} value={String(option.id)}>
                    {option.label}
                  </option>
                ))}
              </select>
            )}
          </label>
          <label class="field">
            <span>
              Note <span class="muted small">(the next agent sees it)</span>
            </span>
            <textarea data-testid="transfer-note" rows={3} maxLength={1000} value={note.value} onInput={(e) => (note.value = e.currentTarget.value)} />
          </label>
          {error.value && (
            <p class="form-error" role="alert" data-testid="transfer-error">
              {error.value}
            </p>
          )}
          <div class="modal-actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" class="primary" data-testid="transfer-submit" disabled={sending.value || chosen.value === ''}>
              {sending.value ? 'Transferring…' : 'Transfer'}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

/** Transfer: the assignee of an assigned conversation, or a supervisor on an assigned or queued one. */
export function canTransfer(conversation: ConversationDetail): boolean {
  if (canSeeAll()) return conversation.status === 'assigned' || conversation.status === 'queued';
  return conversation.status === 'assigned' && conversation.assignedTo?.id === me.value?.id;
}
