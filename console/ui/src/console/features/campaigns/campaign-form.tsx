import type { CampaignView } from '../../../../../../contract/campaigns.ts';
import {
  ACD_FULL_OPTIONS,
  CAMPAIGN_FIELDS,
  changedFields,
  draftForNewCampaign,
  draftFromCampaign,
  draftToInput,
  OPT_OUT_SCOPE_OPTIONS,
  splitKeywords,
  STRATEGIES,
  type CampaignDraft,
} from './campaign-draft.ts';
import { CannedResponsesFields, ChannelPicker, TagList } from './campaign-form-parts.tsx';
import { campaignOptions, createCampaign, updateCampaign } from './campaigns-state.ts';
import { showCampaigns } from '../../shared/console-route.ts';
import { DraftFormActions, SecurityGroupField, selectedId, useDraftForm } from '../../shared/draft-form.tsx';
import { fieldIssuesId } from '../../shared/field-issues.tsx';

/** The form of one campaign (or a new one), grouped as the seed groups it; field errors show beside their field. */
export function CampaignForm({ campaign }: { campaign: CampaignView | null }) {
  const p = `campaign-${campaign?.id ?? 'new'}`;
  const form = useDraftForm({
    record: campaign,
    version: campaign?.updatedAt,
    idPrefix: p,
    toDraft: draftFromCampaign,
    newDraft: draftForNewCampaign,
    fields: CAMPAIGN_FIELDS,
    parse: draftToInput,
    changed: changedFields,
    create: async (input) => showCampaigns((await createCampaign(input)).id),
    update: updateCampaign,
  });
  const { draft, change, at, invalid, issuesOf } = form;

  const d = draft.value;
  /** Names the keyword a path like `optOutKeywords.2` points at. */
  const keywordAt = (field: 'optOutKeywords' | 'optInKeywords' | 'helpKeywords') => (path: string) => {
    const index = Number(path.split('.')[1]);
    const word = splitKeywords(d[field])[index];
    return word === undefined ? null : `"${word}"`;
  };

  const strategy = STRATEGIES.find((s) => s.value === d.strategy);
  const { schedules, securityGroups, botFlows } = campaignOptions.value;
  const flowChoices = [
    ...botFlows.map((flow) => ({ id: flow.id, label: `${flow.name} · v${flow.version}` })),
    ...(campaign?.botFlow && !botFlows.some((f) => f.id === campaign.botFlowId)
      ? [{ id: campaign.botFlow.id, label: `${campaign.botFlow.name} · v${campaign.botFlow.version} (older version)` }]
      : []),
  ];
  const scheduleChoices = [...schedules, ...(campaign?.schedule && !schedules.some((s) => s.id === campaign.scheduleId) ? [campaign.schedule] : [])];
  const text = (field: keyof CampaignDraft, label: string, options: { rows?: number; placeholder?: string; testId?: string } = {}) => (
    <label class="field" for={`${p}-${field}`}>
      {label}
      <textarea
        id={`${p}-${field}`}
        data-testid={options.testId ?? `campaign-${field}`}
        rows={options.rows ?? 2}
        placeholder={options.placeholder}
        value={d[field] as string}
        onInput={(e) => change({ [field]: e.currentTarget.value })}
        {...invalid(field)}
      />
      {issuesOf(field)}
    </label>
  );
  const number = (
    field: 'serviceLevelSeconds' | 'churnSeconds' | 'chatTimeSeconds' | 'acdMaxWaiting' | 'maxInteractionsPerAgent' | 'agentAnswerTimeoutSeconds',
    label: string,
    hint: string,
    placeholder?: string,
  ) => (
    <label class="field" for={`${p}-${field}`} title={hint}>
      {label}
      <input
        id={`${p}-${field}`}
        data-testid={`campaign-${field}`}
        type="number"
        min={0}
        step={1}
        placeholder={placeholder}
        value={d[field]}
        onInput={(e) => change({ [field]: e.currentTarget.value })}
        {...invalid(field)}
      />
      <span class="muted small">{hint}</span>
      {issuesOf(field)}
    </label>
  );
  const keywords = (
    field: 'optOutKeywords' | 'optInKeywords' | 'helpKeywords',
    messageField: 'optOutMessage' | 'optInMessage' | 'helpMessage',
    label: string,
  ) => (
    <div class="keyword-pair">
      <label class="field" for={`${p}-${field}`}>
        {label} keywords
        <input
          id={`${p}-${field}`}
          placeholder="Comma list, e.g. STOP, BAJA"
          data-testid={`campaign-${field}`}
          value={d[field]}
          onInput={(e) => change({ [field]: e.currentTarget.value })}
          {...invalid(field)}
        />
        {issuesOf(field, keywordAt(field))}
      </label>
      {text(messageField, `${label} answer`)}
    </div>
  );

  return (
    <form class="campaign-form" data-testid="campaign-form" ref={form.form} onSubmit={form.submit} noValidate>
      <fieldset class="card">
        <legend>Basic settings</legend>
        <div class="field-grid">
          <label class="field" for={`${p}-name`}>
            Name
            <input
              id={`${p}-name`}
              data-testid="campaign-name"
              maxLength={100}
              value={d.name}
              onInput={(e) => change({ name: e.currentTarget.value })}
              {...invalid('name')}
            />
            {issuesOf('name')}
          </label>
          <label class="field" for={`${p}-schedule`}>
            Schedule
            <select
              id={`${p}-schedule`}
              data-testid="campaign-schedule"
              value={d.scheduleId ?? ''}
              onChange={(e) => change({ scheduleId: selectedId(e.currentTarget.value) })}
              {...invalid('scheduleId')}
            >
              <option value="">No schedule: always open</option>
              {scheduleChoices.map((schedule) => (
                <option key={schedule.id} value={schedule.id}>
                  {schedule.name} ({schedule.timeZone})
                </option>
              ))}
            </select>
            {issuesOf('scheduleId')}
          </label>
        </div>
        <div class="field">
          <label for={`${p}-didPorts`}>
            DID-Ports <span class="muted small">(the codes, numbers or ids the provider uses for this campaign)</span>
          </label>
          <TagList
            id={`${p}-didPorts`}
            values={d.didPorts}
            issues={at('didPorts')}
            onChange={(didPorts) => change({ didPorts })}
            errorsId={fieldIssuesId(p, 'didPorts')}
          />
          {issuesOf('didPorts', (path) => {
            const value = d.didPorts[Number(path.split('.')[1])];
            return value === undefined ? null : `"${value}"`;
          })}
        </div>
        <fieldset class="field group" aria-labelledby={`${p}-channels-label`}>
          <span id={`${p}-channels-label`}>Channels</span>
          <ChannelPicker campaign={campaign} draft={d} onChange={change} />
          {issuesOf('channelIds')}
        </fieldset>
        <label class="field" for={`${p}-strategy`}>
          Strategy
          <select
            id={`${p}-strategy`}
            data-testid="campaign-strategy"
            value={d.strategy}
            onChange={(e) => change({ strategy: e.currentTarget.value as CampaignDraft['strategy'] })}
            {...invalid('strategy')}
          >
            {STRATEGIES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
          <span class="muted small" data-testid="strategy-explanation">
            {strategy?.explanation}
          </span>
          {issuesOf('strategy')}
        </label>
      </fieldset>

      <fieldset class="card">
        <legend>Advanced settings</legend>
        {text('greetingMessage', 'Greeting message', { placeholder: 'Sent when a conversation starts (empty: none)' })}
        {text('outOfTimeMessage', 'Out-of-time message', { placeholder: 'Sent when a customer writes outside the schedule (empty: none)' })}
        {text('queueFullMessage', 'Queue-full message', { placeholder: 'Sent when the ACD limit is reached (empty: none)' })}
        <div class="field-grid three">
          {number('serviceLevelSeconds', 'Service level (s)', 'Expected time for an agent to answer.')}
          {number('churnSeconds', 'Churn (s)', 'Waiting longer counts as abandoned.')}
          {number('chatTimeSeconds', 'Chat time (s)', 'A chat longer than this is flagged.')}
        </div>
        <div class="field-grid">
          {number('acdMaxWaiting', 'ACD: most customers waiting', 'Customers waiting for an agent at once.')}
          <label class="field" for={`${p}-acdFullAction`}>
            When the ACD is full
            <select
              id={`${p}-acdFullAction`}
              data-testid="campaign-acdFullAction"
              value={d.acdFullAction}
              onChange={(e) => change({ acdFullAction: e.currentTarget.value as CampaignDraft['acdFullAction'] })}
              {...invalid('acdFullAction')}
            >
              {ACD_FULL_OPTIONS.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
            {issuesOf('acdFullAction')}
          </label>
          {number('maxInteractionsPerAgent', 'Max interactions per agent', 'Open chats an agent takes at once; the rest wait.')}
          {number('agentAnswerTimeoutSeconds', 'Answer timeout (s)', 'Unanswered this long, the chat goes back to the queue.', 'Empty: no limit')}
        </div>
        <label class="checkbox">
          <input
            type="checkbox"
            data-testid="campaign-stickyAgent"
            checked={d.stickyAgent}
            onChange={(e) => change({ stickyAgent: e.currentTarget.checked })}
          />
          Sticky agent: a returning customer goes to their last agent when that agent can take them
        </label>
        <label class="checkbox">
          <input type="checkbox" data-testid="campaign-enabled" checked={d.enabled} onChange={(e) => change({ enabled: e.currentTarget.checked })} />
          Enabled: the campaign takes conversations (disable it to stop it without losing its data)
        </label>
      </fieldset>

      <CannedResponsesFields form={form} idPrefix={p} />

      <fieldset class="card">
        <legend>Opt-out</legend>
        <p class="muted small">Keywords are comma lists. A whole message equal to one (case and accents ignored) works in any state of the conversation.</p>
        {keywords('optOutKeywords', 'optOutMessage', 'Opt-out')}
        {keywords('optInKeywords', 'optInMessage', 'Opt-in')}
        {keywords('helpKeywords', 'helpMessage', 'Help')}
        <label class="field" for={`${p}-optOutScope`}>
          An opt-out applies to
          <select
            id={`${p}-optOutScope`}
            data-testid="campaign-optOutScope"
            value={d.optOutScope}
            onChange={(e) => change({ optOutScope: e.currentTarget.value as CampaignDraft['optOutScope'] })}
            {...invalid('optOutScope')}
          >
            {OPT_OUT_SCOPE_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          {issuesOf('optOutScope')}
        </label>
      </fieldset>

      <fieldset class="card">
        <legend>Security and bot</legend>
        <div class="field-grid">
          <SecurityGroupField form={form} idPrefix={p} testId="campaign-securityGroup" groups={securityGroups} own={campaign?.securityGroup ?? null} />
          <label class="field" for={`${p}-botFlow`}>
            Bot flow
            <select
              id={`${p}-botFlow`}
              data-testid="campaign-botFlow"
              value={d.botFlowId ?? ''}
              onChange={(e) => change({ botFlowId: selectedId(e.currentTarget.value) })}
              {...invalid('botFlowId')}
            >
              <option value="">None: greet and hand over to an agent</option>
              {flowChoices.map((flow) => (
                <option key={flow.id} value={flow.id}>
                  {flow.label}
                </option>
              ))}
            </select>
            {issuesOf('botFlowId')}
          </label>
        </div>
      </fieldset>

      <DraftFormActions form={form} testId="campaign" submitLabel={campaign ? 'Save' : 'Create campaign'} />
    </form>
  );
}
