import { signal, useSignal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import { useMemo, useRef } from 'preact/hooks';
import type { BotFlowView } from '../../../../../../contract/bot-flows.ts';
import type { FieldIssue } from '../../../../../../contract/common.ts';
import { formatFullTime } from '../../../format-time.ts';
import { definitionText, parseDefinition, STARTER_FLOW } from './bot-flow-draft.ts';
import { TryPanel } from './bot-flow-try.tsx';
import { FlowIssues } from './flow-issues.tsx';
import { rangeOfPath } from './flow-json-path.ts';
import { publishFlow, refusal } from './bot-flows-state.ts';
import { botFlowsLink, showBotFlows } from '../../shared/console-route.ts';
import { me } from '../../shared/session-state.ts';

/** The version just published here, so its page can say so after the URL moves to it. */
const justPublished = signal<number | null>(null);

function FlowHeader({ flow }: { flow: BotFlowView | null }) {
  return (
    <header class="panel-header">
      <a class="ghost back-link" href={botFlowsLink()} aria-label="Back to the flow list">
        ←
      </a>
      <div class="grow">
        <h2 data-testid="flow-title">{flow ? `${flow.name} · v${flow.version}` : 'New flow'}</h2>
        <p class="muted small">
          {flow
            ? `Published ${formatFullTime(flow.createdAt)} · ${flow.campaigns.length ? `used by ${flow.campaigns.map((c) => c.name).join(', ')}` : 'not used by a campaign'}`
            : 'Write the flow as JSON (nodes: message, menu, ask, condition, http, handoff, close, jump), try it, then publish.'}
        </p>
      </div>
    </header>
  );
}

/**
 * One flow: its JSON definition (editable by admins, who publish it as a new version; the server's
 * problems are listed at their exact paths) beside the "Try it" panel, which plays the editor's text.
 */
export function FlowEditor({ flow }: { flow: BotFlowView | null }) {
  const canPublish = me.value?.role === 'admin';
  const original = useMemo(() => definitionText(flow ? flow.definition : STARTER_FLOW), [flow]);
  const text = useSignal(original);
  const name = useSignal(flow?.name ?? '');
  const issues = useSignal<FieldIssue[]>([]);
  const message = useSignal<string | null>(null);
  const busy = useSignal(false);
  const dirty = text.value !== original;
  const published = flow !== null && justPublished.value === flow.id;
  const errorsId = `flow-${flow?.id ?? 'new'}-errors`;
  const editor = useRef<HTMLTextAreaElement>(null);

  /** Selects the place a problem names and scrolls the editor to it. */
  function showPath(path: string) {
    const element = editor.current;
    const range = rangeOfPath(text.value, path);
    if (!element || !range) return;
    element.focus();
    element.setSelectionRange(range.start, range.end);
    const line = text.value.slice(0, range.start).split('\n').length - 1;
    const lineHeight = Number.parseFloat(getComputedStyle(element).lineHeight) || 18;
    element.scrollTop = Math.max(0, (line - 4) * lineHeight);
  }

  async function publish(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    const parsed = parseDefinition(text.value);
    const flowName = flow?.name ?? name.value.trim();
    if (!flowName) {
      message.value = 'Name the flow first.';
      issues.value = [];
      return;
    }
    if (!parsed.ok) {
      message.value = null;
      issues.value = [parsed.issue];
      return;
    }
    busy.value = true;
    issues.value = [];
    message.value = null;
    try {
      const saved = await publishFlow(flowName, parsed.definition);
      justPublished.value = saved.id;
      showBotFlows(saved.id);
    } catch (error) {
      const refused = refusal(error);
      message.value = refused.message;
      issues.value = refused.issues;
    } finally {
      busy.value = false;
    }
  }

  function discard() {
    text.value = original;
    issues.value = [];
    message.value = null;
  }

  return (
    <div class="channel-panel flow-panel" data-testid="flow-detail" data-flow-id={flow?.id ?? 'new'}>
      <FlowHeader flow={flow} />
      <div class="flow-columns">
        <form class="card flow-definition" aria-labelledby="flow-definition-title" data-testid="flow-form" onSubmit={publish}>
          <div class="card-title">
            <h3 id="flow-definition-title">Definition</h3>
            {!canPublish && <span class="muted small">Read only: admins publish flows</span>}
          </div>
          {flow === null && (
            <label class="field">
              Name
              <input
                data-testid="flow-name-input"
                value={name.value}
                maxLength={200}
                placeholder="Support menu"
                onInput={(e) => (name.value = e.currentTarget.value)}
              />
            </label>
          )}
          <textarea
            ref={editor}
            class="settings-json flow-json"
            data-testid="flow-definition"
            aria-label="Flow definition (JSON)"
            aria-describedby={issues.value.length || message.value ? errorsId : undefined}
            aria-invalid={issues.value.length > 0 ? 'true' : undefined}
            spellcheck={false}
            readOnly={!canPublish}
            value={text.value}
            onInput={(e) => (text.value = e.currentTarget.value)}
          />
          <FlowIssues id={errorsId} testId="flow-errors" message={message.value} issues={issues.value} onPick={showPath} />
          {canPublish && (
            <div class="form-actions">
              {flow && published && !dirty && (
                <span class="saved-note" role="status" data-testid="flow-published">
                  Published as version {flow.version}.
                </span>
              )}
              <button type="button" disabled={!dirty || busy.value} onClick={discard}>
                Discard
              </button>
              <button type="submit" class="primary" data-testid="flow-publish" disabled={busy.value || (flow !== null && !dirty)}>
                {busy.value ? 'Publishing…' : flow ? 'Publish new version' : 'Publish'}
              </button>
            </div>
          )}
        </form>
        <TryPanel definition={text.value} flowId={flow?.id ?? null} readOnly={!canPublish} onPickPath={showPath} />
      </div>
    </div>
  );
}
