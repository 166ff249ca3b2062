import type { ChannelType } from '../../../../../../contract/channels.ts';
import type { DialerView } from '../../../../../../contract/dialer.ts';
import { channelTypeLabel } from '../channels/channel-types.ts';
import { showDialers } from '../../shared/console-route.ts';
import {
  changedDialerFields,
  DIALER_FIELDS,
  dialStringHint,
  draftForNewDialer,
  draftFromDialer,
  draftToInput,
  WHATSAPP_WEB_TYPES,
  WHATSAPP_WEB_WARNING,
  type DialerDraft,
} from './dialer-draft.ts';
import { createDialer, dialerOptions, updateDialer } from './dialers-state.ts';
import { DraftFormActions, SecurityGroupField, selectedId, useDraftForm } from '../../shared/draft-form.tsx';
import { FieldIssues, fieldIssuesId } from '../../shared/field-issues.tsx';

/**
 * One dialer's settings (or a new one's), as the seed's "SMS dialer" lists them; admins edit, supervisors
 * read (the fields are disabled). Field errors show beside their field.
 */
export function DialerForm({ dialer, editable }: { dialer: DialerView | null; editable: boolean }) {
  const p = `dialer-${dialer?.id ?? 'new'}`;
  const listed = dialerOptions.value.channels;
  const channelChoices = [...(listed ?? []), ...(dialer && !listed?.some((c) => c.id === dialer.channelId) ? [{ ...dialer.channel, enabled: true }] : [])];
  const typeOf = (channelId: number | null): ChannelType | null => channelChoices.find((c) => c.id === channelId)?.type ?? null;
  const form = useDraftForm({
    record: dialer,
    version: dialer,
    idPrefix: p,
    toDraft: draftFromDialer,
    newDraft: draftForNewDialer,
    fields: DIALER_FIELDS,
    parse: (draft: DialerDraft) => draftToInput(draft, typeOf(draft.channelId)),
    changed: changedDialerFields,
    create: async (input) => showDialers((await createDialer(input)).id),
    update: updateDialer,
    editable,
  });
  const { draft, issues, change, invalid, issuesOf } = form;

  const d = draft.value;
  const channelType = typeOf(d.channelId);
  const { schedules, securityGroups } = dialerOptions.value;
  const scheduleChoices = [
    ...schedules,
    ...(dialer?.schedule && !schedules.some((s) => s.id === dialer.scheduleId) ? [{ ...dialer.schedule, timeZone: '' }] : []),
  ];
  const dialHint = dialStringHint(channelType);

  const number = (field: 'timeBetweenMessagesMs' | 'batchSize', label: string, hint: string) => (
    <label class="field" for={`${p}-${field}`}>
      {label}
      <input
        id={`${p}-${field}`}
        data-testid={`dialer-${field}`}
        type="number"
        min={field === 'batchSize' ? 1 : 0}
        step={1}
        value={d[field]}
        onInput={(e) => change({ [field]: e.currentTarget.value })}
        {...invalid(field)}
      />
      <span class="muted small">{hint}</span>
      {issuesOf(field)}
    </label>
  );
  const check = (field: 'enabled' | 'dncrCheck' | 'quietHours', label: string) => (
    <label class="checkbox">
      <input type="checkbox" data-testid={`dialer-${field}`} checked={d[field]} onChange={(e) => change({ [field]: e.currentTarget.checked })} />
      {label}
    </label>
  );

  return (
    <form class="campaign-form dialer-form" data-testid="dialer-form" ref={form.form} onSubmit={form.submit} noValidate>
      <fieldset class="form-fields" disabled={!editable}>
        <fieldset class="card">
          <legend>Basic settings</legend>
          <div class="field-grid">
            <label class="field" for={`${p}-name`}>
              Name
              <input
                id={`${p}-name`}
                data-testid="dialer-name"
                maxLength={100}
                value={d.name}
                onInput={(e) => change({ name: e.currentTarget.value })}
                {...invalid('name')}
              />
              {issuesOf('name')}
            </label>
            <label class="field" for={`${p}-channel`}>
              SMS provider
              <select
                id={`${p}-channel`}
                data-testid="dialer-channel"
                value={d.channelId ?? ''}
                onChange={(e) => change({ channelId: selectedId(e.currentTarget.value) })}
                {...invalid('channelId')}
              >
                <option value="">Pick a channel…</option>
                {channelChoices.map((channel) => (
                  <option key={channel.id} value={channel.id}>
                    {channel.name} ({channelTypeLabel(channel.type)}){channel.enabled ? '' : ' · disabled'}
                  </option>
                ))}
              </select>
              {listed?.length === 0 && <span class="muted small">No channels yet: create one on the Channels page.</span>}
              {issuesOf('channelId')}
            </label>
          </div>
          {/* Once saved on this channel, the server's own warning shows above the form instead. */}
          {channelType && WHATSAPP_WEB_TYPES.includes(channelType) && d.channelId !== dialer?.channelId && (
            <p class="dialer-warning" role="alert" data-testid="dialer-whatsapp-web-warning">
              <strong>Ban risk.</strong> {WHATSAPP_WEB_WARNING}
            </p>
          )}
          <div class="field-grid">
            <label class="field" for={`${p}-schedule`}>
              Schedule
              <select
                id={`${p}-schedule`}
                data-testid="dialer-schedule"
                value={d.scheduleId ?? ''}
                onChange={(e) => change({ scheduleId: selectedId(e.currentTarget.value) })}
                {...invalid('scheduleId')}
              >
                <option value="">No schedule: any day, any hour</option>
                {scheduleChoices.map((schedule) => (
                  <option key={schedule.id} value={schedule.id}>
                    {schedule.name}
                    {schedule.timeZone && ` (${schedule.timeZone})`}
                  </option>
                ))}
              </select>
              <span class="muted small">The days and hours the dialer may send.</span>
              {issuesOf('scheduleId')}
            </label>
            <label class="field" for={`${p}-dialString`}>
              Dial string
              <input
                id={`${p}-dialString`}
                data-testid="dialer-dialString"
                class="mono"
                placeholder={dialHint.placeholder}
                value={d.dialString}
                onInput={(e) => change({ dialString: e.currentTarget.value })}
                {...invalid('dialString')}
              />
              <span class="muted small" data-testid="dial-string-hint">
                {dialHint.hint}
              </span>
              {issuesOf('dialString')}
            </label>
          </div>
          <div class="field-grid">
            {number('timeBetweenMessagesMs', 'Time between messages (ms)', 'The pause between two sends of this dialer.')}
            {number('batchSize', 'Batch size', 'Messages a worker takes from the spool at once.')}
          </div>
          {channelType === 'whatsapp_cloud' && (
            <div class="field-grid" data-testid="dialer-template">
              <label class="field" for={`${p}-templateName`}>
                WhatsApp template
                <input
                  id={`${p}-templateName`}
                  data-testid="dialer-templateName"
                  placeholder="The approved template’s name"
                  value={d.templateName}
                  onInput={(e) => change({ templateName: e.currentTarget.value })}
                  {...invalid('template.name')}
                />
                <span class="muted small">Each row’s message fills its variables, separated by |.</span>
                {issuesOf('template.name')}
                <FieldIssues id={fieldIssuesId(p, 'template')} issues={issues.value.filter((issue) => issue.path === 'template')} />
              </label>
              <label class="field" for={`${p}-templateLanguage`}>
                Template language
                <input
                  id={`${p}-templateLanguage`}
                  data-testid="dialer-templateLanguage"
                  placeholder="e.g. es or en_US"
                  value={d.templateLanguage}
                  onInput={(e) => change({ templateLanguage: e.currentTarget.value })}
                  {...invalid('template.language')}
                />
                {issuesOf('template.language')}
              </label>
            </div>
          )}
        </fieldset>

        <fieldset class="card">
          <legend>Optional parameters</legend>
          {check('enabled', 'Enabled: the dialer may be started (a disabled dialer never sends)')}
          {check('dncrCheck', 'DNCR: check the blacklist and block the numbers on it')}
          {check('quietHours', 'Quiet hours: send only 08:00–21:00 in the recipient’s local time, even when the schedule allows more')}
          <SecurityGroupField
            form={form}
            idPrefix={p}
            testId="dialer-securityGroup"
            groups={securityGroups}
            own={dialer?.securityGroupId != null ? { id: dialer.securityGroupId, name: `Group ${dialer.securityGroupId}` } : null}
          />
        </fieldset>
      </fieldset>

      {editable && <DraftFormActions form={form} testId="dialer" submitLabel={dialer ? 'Save' : 'Create dialer'} />}
    </form>
  );
}
