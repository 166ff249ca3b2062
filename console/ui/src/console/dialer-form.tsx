import { useSignal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ChannelType, DialerView, FieldIssue } from '../../../wire.ts';
import { errorMessage } from '../api-client.ts';
import { channelTypeLabel } from './channel-types.ts';
import { fieldIssues } from './channels-state.ts';
import { showDialers } from './console-route.ts';
import {
  changedDialerFields,
  dialerIssuesUnder,
  dialStringHint,
  draftForNewDialer,
  draftFromDialer,
  draftToInput,
  unplacedDialerIssues,
  WHATSAPP_WEB_TYPES,
  WHATSAPP_WEB_WARNING,
  type DialerDraft,
} from './dialer-draft.ts';
import { createDialer, dialerOptions, updateDialer } from './dialers-state.ts';

type Issues = readonly FieldIssue[];

const domId = (prefix: string, path: string) => `${prefix}-${path.replace(/\./g, '-')}-issues`;

/** The server's (or the browser's) complaints about one field, right under it. */
function FieldIssues({ id, issues }: { id: string; issues: Issues }) {
  if (issues.length === 0) return null;
  return (
    <ul class="field-issues" id={id}>
      {issues.map((issue) => (
        <li key={`${issue.path}:${issue.message}`} data-testid="field-error" data-path={issue.path}>
          {issue.message}
        </li>
      ))}
    </ul>
  );
}

/**
 * One dialer's settings (or a new one's), as the seed's "SMS dialer" lists them; admins edit, supervisors
 * read (the fields are disabled). Field errors show beside their field.
 */
export function DialerForm({ dialer, editable }: { dialer: DialerView | null; editable: boolean }) {
  const draft = useSignal<DialerDraft>(dialer ? draftFromDialer(dialer) : draftForNewDialer());
  const issues = useSignal<FieldIssue[]>([]);
  const banner = useSignal<string | null>(null);
  const busy = useSignal(false);
  const dirty = useSignal(false);
  const saved = useSignal(false);
  const form = useRef<HTMLFormElement>(null);
  const p = `dialer-${dialer?.id ?? 'new'}`;

  // Changed elsewhere (started or stopped from the monitor, another admin): follow it unless this form holds edits.
  useEffect(() => {
    if (dialer && !dirty.value) draft.value = draftFromDialer(dialer);
  }, [dialer]);

  const d = draft.value;
  const change = (part: Partial<DialerDraft>) => {
    draft.value = { ...draft.value, ...part };
    dirty.value = true;
    saved.value = false;
  };
  const at = (path: string) => dialerIssuesUnder(issues.value, path);
  const invalid = (path: string) => (at(path).length ? { 'aria-invalid': true as const, 'aria-describedby': domId(p, path) } : {});
  const issuesOf = (path: string) => <FieldIssues id={domId(p, path)} issues={at(path)} />;

  const listed = dialerOptions.value.channels;
  const channelChoices = [...(listed ?? []), ...(dialer && !listed?.some((c) => c.id === dialer.channelId) ? [{ ...dialer.channel, enabled: true }] : [])];
  const channelType: ChannelType | null = channelChoices.find((c) => c.id === d.channelId)?.type ?? null;
  const { schedules, securityGroups } = dialerOptions.value;
  const scheduleChoices = [...schedules, ...(dialer?.schedule && !schedules.some((s) => s.id === dialer.scheduleId) ? [{ ...dialer.schedule, timeZone: '' }] : [])];
  const groupChoices = [...securityGroups, ...(dialer?.securityGroupId != null && !securityGroups.some((g) => g.id === dialer.securityGroupId) ? [{ id: dialer.securityGroupId, name: `Group ${dialer.securityGroupId}` }] : [])];
  const selectId = (value: string) => (value === '' ? null : Number(value));
  const dialHint = dialStringHint(channelType);

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value || !editable) return;
    const parsed = draftToInput(draft.value, channelType);
    saved.value = false;
    if (!parsed.input) {
      issues.value = parsed.issues;
      banner.value = 'Fix the marked fields.';
      return;
    }
    busy.value = true;
    issues.value = [];
    banner.value = null;
    try {
      if (dialer) {
        const patch = changedDialerFields(parsed.input, dialer);
        const updated = Object.keys(patch).length ? await updateDialer(dialer.id, patch) : dialer;
        draft.value = draftFromDialer(updated);
        dirty.value = false;
        saved.value = true;
      } else {
        const created = await createDialer(parsed.input);
        showDialers(created.id);
      }
    } catch (error) {
      issues.value = fieldIssues(error);
      const unplaced = unplacedDialerIssues(issues.value).map((issue) => `${issue.path || 'request'}: ${issue.message}`);
      banner.value = issues.value.length ? ['The server refused the marked fields.', ...unplaced].join(' ') : errorMessage(error);
    } finally {
      busy.value = false;
      requestAnimationFrame(() => form.current?.querySelector('[aria-invalid="true"]')?.scrollIntoView({ block: 'center', behavior: 'smooth' }));
    }
  }

  function discard() {
    draft.value = dialer ? draftFromDialer(dialer) : draftForNewDialer();
    dirty.value = false;
    issues.value = [];
    banner.value = null;
  }

  const number = (field: 'timeBetweenMessagesMs' | 'batchSize', label: string, hint: string) => (
    <label class="field" for={`${p}-${field}`}>
      {label}
      <input id={`${p}-${field}`} data-testid={`dialer-${field}`} type="number" min={field === 'batchSize' ? 1 : 0} step={1} value={d[field]} onInput={(e) => change({ [field]: e.currentTarget.value })} {...invalid(field)} />
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
    <form class="campaign-form dialer-form" data-testid="dialer-form" ref={form} onSubmit={submit} noValidate>
      <fieldset class="form-fields" disabled={!editable}>
        <fieldset class="card">
          <legend>Basic settings</legend>
          <div class="field-grid">
            <label class="field" for={`${p}-name`}>
              Name
              <input id={`${p}-name`} data-testid="dialer-name" maxLength={100} value={d.name} onInput={(e) => change({ name: e.currentTarget.value })} {...invalid('name')} />
              {issuesOf('name')}
            </label>
            <label class="field" for={`${p}-channel`}>
              SMS provider
              <select id={`${p}-channel`} data-testid="dialer-channel" value={d.channelId ?? ''} onChange={(e) => change({ channelId: selectId(e.currentTarget.value) })} {...invalid('channelId')}>
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
              <select id={`${p}-schedule`} data-testid="dialer-schedule" value={d.scheduleId ?? ''} onChange={(e) => change({ scheduleId: selectId(e.currentTarget.value) })} {...invalid('scheduleId')}>
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
              <input id={`${p}-dialString`} data-testid="dialer-dialString" class="mono" placeholder={dialHint.placeholder} value={d.dialString} onInput={(e) => change({ dialString: e.currentTarget.value })} {...invalid('dialString')} />
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
                <input id={`${p}-templateName`} data-testid="dialer-templateName" placeholder="The approved template’s name" value={d.templateName} onInput={(e) => change({ templateName: e.currentTarget.value })} {...invalid('template.name')} />
                <span class="muted small">Each row’s message fills its variables, separated by |.</span>
                {issuesOf('template.name')}
                <FieldIssues id={domId(p, 'template')} issues={issues.value.filter((issue) => issue.path === 'template')} />
              </label>
              <label class="field" for={`${p}-templateLanguage`}>
                Template language
                <input id={`${p}-templateLanguage`} data-testid="dialer-templateLanguage" placeholder="e.g. es or en_US" value={d.templateLanguage} onInput={(e) => change({ templateLanguage: e.currentTarget.value })} {...invalid('template.language')} />
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
          <label class="field" for={`${p}-securityGroup`}>
            Security group
            <select id={`${p}-securityGroup`} data-testid="dialer-securityGroup" value={d.securityGroupId ?? ''} onChange={(e) => change({ securityGroupId: selectId(e.currentTarget.value) })} {...invalid('securityGroupId')}>
              <option value="">None: every supervisor sees it</option>
              {groupChoices.map((group) => (
                <option key={group.id} value={group.id}>
                  {group.name}
                </option>
              ))}
            </select>
            {issuesOf('securityGroupId')}
          </label>
        </fieldset>
      </fieldset>

      {editable && (
        <div class="form-actions campaign-actions">
          {banner.value && (
            <p class="form-error banner" role="alert" data-testid="dialer-banner">
              {banner.value}
            </p>
          )}
          {saved.value && (
            <span class="saved-note" role="status" data-testid="dialer-saved">
              Saved.
            </span>
          )}
          <button type="button" disabled={!dirty.value || busy.value} onClick={discard}>
            Discard changes
          </button>
          <button type="submit" class="primary" data-testid="dialer-save" disabled={busy.value}>
            {busy.value ? 'Saving…' : dialer ? 'Save' : 'Create dialer'}
          </button>
        </div>
      )}
    </form>
  );
}
