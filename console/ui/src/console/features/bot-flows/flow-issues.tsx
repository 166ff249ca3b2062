import type { FieldIssue } from '../../../../../../contract/common.ts';

/**
 * Problems with a definition, each at its exact path in the document (`nodes.menu.options.2.next`);
 * with `onPick`, a path is a button that shows that place in the editor.
 */
export function FlowIssues(props: { id: string; testId: string; message: string | null; issues: readonly FieldIssue[]; onPick?: (path: string) => void }) {
  const { id, testId, message, issues, onPick } = props;
  if (!message && issues.length === 0) return null;
  return (
    <div class="form-error" id={id} role="alert" data-testid={testId}>
      {message && <p>{message}</p>}
      {issues.length > 0 && (
        <ul class="issue-list">
          {issues.map((issue) => (
            <li key={`${issue.path}:${issue.message}`} data-testid="flow-issue" data-path={issue.path}>
              {issue.path &&
                (onPick ? (
                  <button type="button" class="issue-path" title="Show it in the definition" onClick={() => onPick(issue.path)}>
                    <code>{issue.path}</code>
                  </button>
                ) : (
                  <code>{issue.path}</code>
                ))}{' '}
              {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
