import { useSignal, type Signal } from '@preact/signals';
import type { ComponentChildren, TargetedSubmitEvent } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { FieldIssue } from '../../../../../contract/common.ts';
import { errorMessage } from '../../api-client.ts';
import { FieldIssues, fieldIssues, fieldIssuesId, issuesOutside, issuesUnder } from './field-issues.tsx';

type Parsed<Input> = { input: Input; issues: [] } | { input: null; issues: FieldIssue[] };

type DraftFormOptions<View, Draft, Input> = {
  /** The saved record the form edits; null for a new one. */
  record: View | null;
  /** Follows the record while the form holds no edits, whenever this changes (the record, or its updatedAt). */
  version: unknown;
  /** Prefix of the fields' DOM ids, unique on the page (`dialer-7`, `campaign-new`). */
  idPrefix: string;
  toDraft: (record: View) => Draft;
  newDraft: () => Draft;
  /** The form's top-level fields: an issue on any other path goes in the banner, since no field can show it. */
  fields: readonly string[];
  /** The draft as the API takes it, or what the browser can already tell is wrong. */
  parse: (draft: Draft) => Parsed<Input>;
  /** Only the fields whose value differs from the record's, for a PATCH. */
  changed: (input: Input, record: View) => Partial<Input>;
  /** Creates the record and shows it (the form goes with the page). */
  create: (input: Input) => Promise<void>;
  update: (id: number, patch: Partial<Input>) => Promise<View>;
  /** False for readers: the form never submits. */
  editable?: boolean;
};

/** The state and submit of a form edited as a draft (a campaign, a dialer): field errors show beside their field. */
export function useDraftForm<View extends { id: number }, Draft extends object, Input>(options: DraftFormOptions<View, Draft, Input>) {
  const { record, toDraft, newDraft, idPrefix, fields, editable = true } = options;
  const initial = () => (record ? toDraft(record) : newDraft());
  const draft = useSignal<Draft>(initial());
  const issues = useSignal<FieldIssue[]>([]);
  const banner = useSignal<string | null>(null);
  const busy = useSignal(false);
  const dirty = useSignal(false);
  const saved = useSignal(false);
  const form = useRef<HTMLFormElement>(null);

  // Changed elsewhere (another admin, a start from the monitor, a delete refusal's "disable"): follow it unless this form holds edits.
  useEffect(() => {
    if (record && !dirty.value) draft.value = toDraft(record);
  }, [options.version]);

  /** After a refusal, brings the first marked field into view (the form is longer than the window). */
  const showFirstIssue = () =>
    requestAnimationFrame(() => form.current?.querySelector('[aria-invalid="true"]')?.scrollIntoView({ block: 'center', behavior: 'smooth' }));

  const change = (part: Partial<Draft>) => {
    draft.value = { ...draft.value, ...part };
    dirty.value = true;
    saved.value = false;
  };
  const at = (path: string) => issuesUnder(issues.value, path);
  const invalid = (path: string) => (at(path).length ? { 'aria-invalid': true as const, 'aria-describedby': fieldIssuesId(idPrefix, path) } : {});
  const issuesOf = (path: string, label?: (path: string) => string | null) => (
    <FieldIssues id={fieldIssuesId(idPrefix, path)} issues={at(path)} label={label} />
  );

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value || !editable) return;
    const parsed = options.parse(draft.value);
    saved.value = false;
    if (!parsed.input) {
      issues.value = parsed.issues;
      banner.value = 'Fix the marked fields.';
      showFirstIssue();
      return;
    }
    busy.value = true;
    issues.value = [];
    banner.value = null;
    try {
      if (record) {
        const patch = options.changed(parsed.input, record);
        draft.value = toDraft(Object.keys(patch).length ? await options.update(record.id, patch) : record);
        dirty.value = false;
        saved.value = true;
      } else {
        await options.create(parsed.input);
      }
    } catch (error) {
      issues.value = fieldIssues(error);
      const unplaced = issuesOutside(issues.value, fields).map((issue) => `${issue.path || 'request'}: ${issue.message}`);
      banner.value = issues.value.length ? ['The server refused the marked fields.', ...unplaced].join(' ') : errorMessage(error);
      showFirstIssue();
    } finally {
      busy.value = false;
    }
  }

  function discard() {
    draft.value = initial();
    dirty.value = false;
    issues.value = [];
    banner.value = null;
  }

  return { draft, issues, banner, busy, dirty, saved, form, change, at, invalid, issuesOf, submit, discard };
}

/** A select's value as an id, or null for its empty "none" choice. */
export const selectedId = (value: string) => (value === '' ? null : Number(value));

type FormFoot = { banner: Signal<string | null>; saved: Signal<boolean>; dirty: Signal<boolean>; busy: Signal<boolean>; discard: () => void };

/** The foot of a draft form: the banner, "Saved.", "Discard changes" and the submit (`<testId>-banner`, `-saved`, `-save`). */
export function DraftFormActions({ form, testId, submitLabel }: { form: FormFoot; testId: string; submitLabel: string }) {
  return (
    <div class="form-actions campaign-actions">
      {form.banner.value && (
        <p class="form-error banner" role="alert" data-testid={`${testId}-banner`}>
          {form.banner.value}
        </p>
      )}
      {form.saved.value && (
        <span class="saved-note" role="status" data-testid={`${testId}-saved`}>
          Saved.
        </span>
      )}
      <button type="button" disabled={!form.dirty.value || form.busy.value} onClick={form.discard}>
        Discard changes
      </button>
      <button type="submit" class="primary" data-testid={`${testId}-save`} disabled={form.busy.value}>
        {form.busy.value ? 'Saving…' : submitLabel}
      </button>
    </div>
  );
}

type Group = { id: number; name: string };
type GroupForm = {
  draft: Signal<{ securityGroupId: number | null }>;
  change: (part: { securityGroupId: number | null }) => void;
  invalid: (path: string) => object;
  issuesOf: (path: string) => ComponentChildren;
};

/**
 * The security group of a campaign or dialer (only its members' supervisors see it). The record's own group
 * stays a choice even when the list lacks it (not readable, or deleted since).
 */
export function SecurityGroupField({
  form,
  idPrefix,
  testId,
  groups,
  own,
}: {
  form: GroupForm;
  idPrefix: string;
  testId: string;
  groups: readonly Group[];
  own: Group | null;
}) {
  const choices = [...groups, ...(own && !groups.some((g) => g.id === own.id) ? [own] : [])];
  return (
    <label class="field" for={`${idPrefix}-securityGroup`}>
      Security group
      <select
        id={`${idPrefix}-securityGroup`}
        data-testid={testId}
        value={form.draft.value.securityGroupId ?? ''}
        onChange={(e) => form.change({ securityGroupId: selectedId(e.currentTarget.value) })}
        {...form.invalid('securityGroupId')}
      >
        <option value="">None: every supervisor sees it</option>
        {choices.map((group) => (
          <option key={group.id} value={group.id}>
            {group.name}
          </option>
        ))}
      </select>
      {form.issuesOf('securityGroupId')}
    </label>
  );
}
