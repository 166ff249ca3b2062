import type { FieldIssue } from '../../../../../contract/common.ts';
import { ApiRequestError } from '../../api-client.ts';

type Issues = readonly FieldIssue[];

/** The issues at a path or under it (`template` covers `template.name`, `cannedResponses` `cannedResponses.2.shortcut`). */
export function issuesUnder(issues: Issues, path: string): FieldIssue[] {
  return issues.filter((issue) => issue.path === path || issue.path.startsWith(`${path}.`));
}

/** The issues on none of a form's fields (no path, or one it does not know): they go in the form's banner. */
export function issuesOutside(issues: Issues, fields: readonly string[]): FieldIssue[] {
  return issues.filter((issue) => !fields.includes(issue.path.split('.')[0] ?? ''));
}

/** The DOM id of a field's issue list, which the field's `aria-describedby` names. */
export const fieldIssuesId = (prefix: string, path: string) => `${prefix}-${path.replace(/\./g, '-')}-issues`;

/** The server's (or the browser's) complaints about one field, right under it; `label` names the list item a path points at. */
export function FieldIssues({ id, issues, label }: { id: string; issues: Issues; label?: (path: string) => string | null }) {
  if (issues.length === 0) return null;
  return (
    <ul class="field-issues" id={id}>
      {issues.map((issue) => {
        const item = label?.(issue.path);
        return (
          <li key={`${issue.path}:${issue.message}`} data-testid="field-error" data-path={issue.path}>
            {item && !issue.message.includes(item) && <strong>{item}: </strong>}
            {issue.message}
          </li>
        );
      })}
    </ul>
  );
}

function isFieldIssue(value: unknown): value is FieldIssue {
  if (typeof value !== 'object' || value === null) return false;
  const { path, message } = value as Record<string, unknown>;
  return typeof path === 'string' && typeof message === 'string';
}

/** The fields a validation failure names (`settings.accountSid`…); empty for other errors. */
export function fieldIssues(error: unknown): FieldIssue[] {
  if (!(error instanceof ApiRequestError) || !Array.isArray(error.details)) return [];
  return error.details.filter(isFieldIssue);
}
