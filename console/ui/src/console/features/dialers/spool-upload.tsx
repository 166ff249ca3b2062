import { useSignal } from '@preact/signals';
import type { ComponentChildren, TargetedSubmitEvent } from 'preact';
import { useRef } from 'preact/hooks';
import type { FileIssue } from '../../../../../../contract/common.ts';
import type { SpoolImportView } from '../../../../../../contract/dialer.ts';
import { errorMessage } from '../../../api-client.ts';
import { describeIssue, fileIssuesOf, importProgress, newProgressKey, uploadFile } from '../../shared/file-upload.ts';

type UploadProps<T> = {
  /** Prefix of the elements' test ids: `<name>-file`, `<name>-submit`, `<name>-issues`… */
  name: string;
  title: string;
  children: ComponentChildren;
  /** The request path for this file (and progress key, when progress is followed). */
  path: (file: File, progressKey: string) => string;
  followProgress: boolean;
  /** What to say once the server accepted the file. */
  describe: (result: T) => string;
  onDone?: (result: T) => void;
};

/** Rows read so far and the share of the file's bytes, from the server's progress events. */
function Progress({ progressKey }: { progressKey: string }) {
  const progress = importProgress.value[progressKey];
  if (!progress) return null;
  const total = progress.totalBytes ?? 0;
  const percent = total > 0 ? Math.min(100, Math.floor((progress.bytes / total) * 100)) : null;
  return (
    <div class="upload-progress" role="status" data-testid="upload-progress">
      <progress max={100} value={percent ?? undefined} />
      <span class="small">
        {progress.rows.toLocaleString()} rows read{percent !== null && ` · ${percent}%`}
      </span>
    </div>
  );
}

/** Every problem of a refused file, line and column first, in a list that scrolls; the server's summary above it. */
function IssueList({ name, summary, issues }: { name: string; summary: string; issues: FileIssue[] }) {
  return (
    <div class="form-error upload-issues" role="alert" data-testid={`${name}-issues`}>
      <p>{summary}</p>
      <ol class="file-issue-list">
        {issues.map((issue, index) => (
          <li key={index} data-testid="file-issue" data-line={issue.line ?? ''} data-column={issue.column ?? ''}>
            {describeIssue(issue)}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** A CSV upload: pick a file, send it as it is; the outcome, the progress, or every issue of a refusal. */
export function FileUploadCard<T>(props: UploadProps<T>) {
  const { name } = props;
  const input = useRef<HTMLInputElement>(null);
  const picked = useSignal<File | null>(null);
  const busy = useSignal(false);
  const progressKey = useSignal<string | null>(null);
  const issues = useSignal<{ summary: string; list: FileIssue[] } | null>(null);
  const error = useSignal<string | null>(null);
  const done = useSignal<string | null>(null);

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const file = picked.value;
    if (!file || busy.value) return;
    const key = newProgressKey();
    busy.value = true;
    issues.value = null;
    error.value = null;
    done.value = null;
    progressKey.value = props.followProgress ? key : null;
    try {
      const result = await uploadFile<T>(props.path(file, key), file, props.followProgress ? key : undefined);
      done.value = props.describe(result);
      picked.value = null;
      if (input.current) input.current.value = '';
      props.onDone?.(result);
    } catch (failure) {
      const refused = fileIssuesOf(failure);
      if (refused) issues.value = { summary: errorMessage(failure), list: refused };
      else error.value = errorMessage(failure);
    } finally {
      busy.value = false;
      progressKey.value = null;
    }
  }

  return (
    <form class="card upload-card" data-testid={`${name}-upload`} onSubmit={submit} aria-labelledby={`${name}-title`}>
      <div class="card-title">
        <h3 id={`${name}-title`}>{props.title}</h3>
      </div>
      {props.children}
      <div class="row upload-row">
        <input
          ref={input}
          type="file"
          accept=".csv,text/csv,text/plain"
          data-testid={`${name}-file`}
          aria-label={`${props.title}: file`}
          onChange={(e) => {
            picked.value = e.currentTarget.files?.[0] ?? null;
            issues.value = null;
            error.value = null;
            done.value = null;
          }}
        />
        <button type="submit" class="primary" data-testid={`${name}-submit`} disabled={!picked.value || busy.value}>
          {busy.value ? 'Uploading…' : 'Upload'}
        </button>
      </div>
      {busy.value && progressKey.value && <Progress progressKey={progressKey.value} />}
      {done.value && (
        <p class="saved-note" role="status" data-testid={`${name}-done`}>
          {done.value}
        </p>
      )}
      {error.value && (
        <p class="form-error" role="alert" data-testid={`${name}-error`}>
          {error.value}
        </p>
      )}
      {issues.value && <IssueList name={name} summary={issues.value.summary} issues={issues.value.list} />}
    </form>
  );
}

/** "Imported 3 messages (campsms: 3)". */
export function describeSpoolImport(result: SpoolImportView): string {
  const perCampaign = Object.entries(result.campaigns)
    .map(([campaign, rows]) => `${campaign}: ${rows.toLocaleString()}`)
    .join(', ');
  return `Imported ${result.rows.toLocaleString()} ${result.rows === 1 ? 'message' : 'messages'} from ${result.fileName}${perCampaign ? ` (${perCampaign})` : ''}.`;
}

/** The seed's mass upload into one dialer's spool. */
export function SpoolUpload({ dialerId, onDone }: { dialerId: number; onDone?: () => void }) {
  return (
    <FileUploadCard<SpoolImportView>
      name="spool"
      title="Upload mass messages"
      followProgress
      path={(file, key) => `/api/dialers/${dialerId}/imports?fileName=${encodeURIComponent(file.name)}&progressKey=${encodeURIComponent(key)}`}
      describe={describeSpoolImport}
      onDone={onDone}
    >
      <p class="muted small">
        A .csv file of <code>campaign;destiny;message;priority</code> lines (or <code>campaign;destiny;message;device;idm;data</code>). The name without spaces
        or odd characters, e.g. <code>DISCTEST29042014.csv</code>; the campaigns must exist; no ´ ‘ “ @ in the messages. A file with any problem imports
        nothing.
      </p>
      <pre class="example">campsms;098344384;Hey World!;9999;</pre>
    </FileUploadCard>
  );
}

/** The seed's "Upload record not DNCR call": numbers that must not be messaged, per campaign or for all. */
export function DncrUpload({ onDone }: { onDone?: () => void }) {
  return (
    <FileUploadCard<{ added: number; alreadyListed: number }>
      name="dncr"
      title="Upload DNCR file"
      followProgress={false}
      path={(file) => `/api/dncr/imports?fileName=${encodeURIComponent(file.name)}`}
      describe={(result) =>
        `Added ${result.added.toLocaleString()} ${result.added === 1 ? 'number' : 'numbers'}; ${result.alreadyListed.toLocaleString()} already listed.`
      }
      onDone={onDone}
    >
      <p class="muted small">
        <code>number;campaign;</code> lines; an empty campaign puts the number on the global list.
      </p>
      <pre class="example">23578408;marcadortest;</pre>
    </FileUploadCard>
  );
}
