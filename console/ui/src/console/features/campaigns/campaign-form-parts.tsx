import { useSignal, type Signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import type { CampaignView } from '../../../../../../contract/campaigns.ts';
import type { FieldIssue } from '../../../../../../contract/common.ts';
import { FieldIssues, fieldIssuesId, issuesUnder } from '../../shared/field-issues.tsx';
import type { CampaignDraft } from './campaign-draft.ts';
import { campaignOptions } from './campaigns-state.ts';

type Change = (part: Partial<CampaignDraft>) => void;
type Issues = readonly FieldIssue[];
/** What the campaign form hands its parts: its draft, how to change it, and its issues. */
type PartForm = {
  draft: Signal<CampaignDraft>;
  issues: Signal<FieldIssue[]>;
  change: Change;
  invalid: (path: string) => object;
  issuesOf: (path: string) => ComponentChildren;
};

/** DID-Ports as removable tags; Enter, a comma or leaving the box adds what was typed. */
export function TagList(props: { id: string; values: string[]; issues: Issues; onChange: (values: string[]) => void; errorsId: string }) {
  const { id, values, issues, onChange, errorsId } = props;
  const typed = useSignal('');
  const add = () => {
    const fresh = typed.value
      .split(',')
      .map((value) => value.trim())
      .filter((value) => value !== '');
    if (fresh.length) onChange([...values, ...fresh]);
    typed.value = '';
  };
  return (
    <div class="tag-list" data-testid="did-ports" aria-invalid={issues.length ? true : undefined}>
      {values.map((value, index) => {
        const wrong = issuesUnder(issues, `didPorts.${index}`).length > 0;
        return (
          <span key={`${index}:${value}`} class={wrong ? 'tag tag-invalid' : 'tag'} data-testid="did-port" data-index={index}>
            <span class="mono">{value}</span>
            <button type="button" class="tag-remove" aria-label={`Remove DID-Port ${value}`} onClick={() => onChange(values.filter((_, i) => i !== index))}>
              ×
            </button>
          </span>
        );
      })}
      <input
        id={id}
        class="tag-input"
        data-testid="did-port-input"
        placeholder={values.length ? 'Add another…' : 'e.g. 5001 or +59829001234, then Enter'}
        value={typed.value}
        aria-describedby={issues.length ? errorsId : undefined}
        onInput={(e) => (typed.value = e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ',') {
            e.preventDefault();
            add();
          } else if (e.key === 'Backspace' && typed.value === '' && values.length) onChange(values.slice(0, -1));
        }}
        onBlur={add}
      />
    </div>
  );
}

/** The campaign's channels as a checkbox list; supervisors, who may not list channels, see the campaign's own. */
export function ChannelPicker({ campaign, draft, onChange }: { campaign: CampaignView | null; draft: CampaignDraft; onChange: Change }) {
  const listed = campaignOptions.value.channels;
  const own = campaign?.channels ?? [];
  const choices = [...(listed ?? []), ...own.filter((c) => !listed?.some((l) => l.id === c.id))];
  if (choices.length === 0) return <p class="muted small">{listed ? 'No channels yet: an admin creates them on the Channels page.' : 'No channels.'}</p>;
  const toggle = (id: number, on: boolean) =>
    onChange({ channelIds: on ? [...draft.channelIds, id] : draft.channelIds.filter((channelId) => channelId !== id) });
  return (
    <div class="pick-list channel-picks" data-testid="campaign-channels">
      {choices.map((channel) => (
        <label key={channel.id} class="pick-item" data-testid="campaign-channel-option" data-channel-id={channel.id}>
          <input type="checkbox" checked={draft.channelIds.includes(channel.id)} onChange={(e) => toggle(channel.id, e.currentTarget.checked)} />
          <span class="grow">{channel.name}</span>
          <span class="muted small">{channel.type}</span>
        </label>
      ))}
    </div>
  );
}

/** The campaign's pre-set responses: a shortcut and a body per row, each with its own issues. */
export function CannedResponsesFields({ form, idPrefix: p }: { form: PartForm; idPrefix: string }) {
  const { issues, change, invalid, issuesOf } = form;
  const d = form.draft.value;
  return (
    <fieldset class="card" data-testid="canned-responses">
      <legend>Pre-set responses</legend>
      <p class="muted small">Offered to agents in the reply box; the shortcut is what they type to find one.</p>
      {d.cannedResponses.map((response, index) => {
        const set = (part: Partial<typeof response>) => change({ cannedResponses: d.cannedResponses.map((r, i) => (i === index ? { ...r, ...part } : r)) });
        const path = `cannedResponses.${index}`;
        return (
          <div class="canned-row" key={index} data-testid="canned-row" data-index={index}>
            <label class="field" for={`${p}-${path}-shortcut`}>
              <span class="small">Shortcut</span>
              <input
                id={`${p}-${path}-shortcut`}
                data-testid="canned-shortcut"
                value={response.shortcut}
                placeholder="e.g. hours"
                onInput={(e) => set({ shortcut: e.currentTarget.value })}
                {...invalid(`${path}.shortcut`)}
              />
              {issuesOf(`${path}.shortcut`)}
            </label>
            <label class="field" for={`${p}-${path}-body`}>
              <span class="small">Response</span>
              <textarea
                id={`${p}-${path}-body`}
                data-testid="canned-body"
                rows={2}
                value={response.body}
                onInput={(e) => set({ body: e.currentTarget.value })}
                {...invalid(`${path}.body`)}
              />
              {issuesOf(`${path}.body`)}
            </label>
            <button
              type="button"
              class="ghost danger"
              data-testid="canned-remove"
              aria-label={`Remove response ${index + 1}`}
              onClick={() => change({ cannedResponses: d.cannedResponses.filter((_, i) => i !== index) })}
            >
              Remove
            </button>
          </div>
        );
      })}
      <FieldIssues id={fieldIssuesId(p, 'cannedResponses')} issues={issues.value.filter((issue) => issue.path === 'cannedResponses')} />
      <div>
        <button type="button" data-testid="canned-add" onClick={() => change({ cannedResponses: [...d.cannedResponses, { shortcut: '', body: '' }] })}>
          Add response
        </button>
      </div>
    </fieldset>
  );
}
