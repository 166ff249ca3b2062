import { useSignal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import type { DryRunOutcome, DryRunResult } from '../../../../../../contract/bot-flows.ts';
import type { FieldIssue } from '../../../../../../contract/common.ts';
import { messageLines, parseDefinition } from './bot-flow-draft.ts';
import { FlowIssues } from './flow-issues.tsx';
import { dryRunFlow, refusal, tryMessages, tryOpen, type DryRunSource } from './bot-flows-state.ts';
import { MessageContent, NodeTag } from '../../shared/message-content.tsx';

/** What happened to the conversation after a turn, as the person testing the flow reads it. */
function outcomeText(outcome: DryRunOutcome, at: string | null = null): string {
  switch (outcome.type) {
    case 'wait':
      return at ? `Waits for the customer at ${at}` : 'Waits for the customer';
    case 'ended':
      return 'The flow ended: the next message starts it again';
    case 'close':
      return `The bot closes the conversation (${outcome.node})`;
    case 'handoff': {
      const where = outcome.campaign ? ` in ${outcome.campaign}` : '';
      const priority = outcome.priority > 0 ? `, priority ${outcome.priority}` : '';
      return `Handed to an agent${where}${priority} (${outcome.node})`;
    }
  }
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One customer message with the bot's replies under it, the nodes it went through and, when the flow ended there, how. */
function Turn({ turn, last }: { turn: DryRunResult['turns'][number]; last: boolean }) {
  return (
    <li class="try-turn" data-testid="try-turn">
      <div class="try-customer" data-testid="try-customer">
        {turn.message}
      </div>
      {turn.replies.length === 0 && <p class="muted small try-silent">No reply</p>}
      {turn.replies.map((reply, index) => (
        <div key={index} class="try-reply" data-testid="try-reply" data-node={reply.node}>
          <div class="author">
            Bot <NodeTag node={reply.node} />
            {reply.outOfHours && <span class="muted"> · out-of-time message</span>}
          </div>
          <div class="body">{reply.body}</div>
          <MessageContent content={reply.content} />
        </div>
      ))}
      <p class="try-path muted small" data-testid="try-path">
        {turn.path.length ? turn.path.join(' → ') : 'no node'}
        {turn.outcome.type !== 'wait' && !last && <strong class="try-outcome"> · {outcomeText(turn.outcome)}</strong>}
      </p>
    </li>
  );
}

function Result({ result }: { result: DryRunResult }) {
  const vars = Object.entries(result.final.vars);
  return (
    <div class="try-result" data-testid="try-result">
      <ol class="try-turns">
        {result.turns.map((turn, index) => (
          <Turn key={index} turn={turn} last={index === result.turns.length - 1} />
        ))}
      </ol>
      {result.notPlayed.length > 0 && (
        <p class="muted small" data-testid="try-not-played">
          Not played (the conversation left the bot): {result.notPlayed.join(' · ')}
        </p>
      )}
      <div class="try-final">
        <p data-testid="try-final-outcome">
          <strong>Outcome:</strong> {outcomeText(result.final.outcome, result.final.at)}
        </p>
        {result.final.outcome.type === 'handoff' && result.final.outcome.note && (
          <p class="small" data-testid="try-final-note">
            <strong>Note for the agent:</strong> {result.final.outcome.note}
          </p>
        )}
        {vars.length > 0 ? (
          <dl class="bot-variables" data-testid="try-variables">
            {vars.map(([name, value]) => (
              <div key={name} class="bot-variable" data-testid="try-variable" data-name={name}>
                <dt>{name}</dt>
                <dd title={valueText(value)}>{valueText(value)}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <p class="muted small">No variables collected.</p>
        )}
      </div>
    </div>
  );
}

/**
 * "Try it": customer messages (one per line) played against the flow, in or out of the campaign's
 * hours. Admins play the editor's text, saved or not; the others play the saved version (the server
 * lets only admins run unsaved flows, whose HTTP nodes call out). Nothing is sent or stored.
 */
export function TryPanel(props: { definition: string; flowId: number | null; readOnly: boolean; onPickPath: (path: string) => void }) {
  const { definition, flowId, readOnly, onPickPath } = props;
  const messages = tryMessages;
  const open = tryOpen;
  const result = useSignal<DryRunResult | null>(null);
  const issues = useSignal<FieldIssue[]>([]);
  const message = useSignal<string | null>(null);
  const busy = useSignal(false);

  /** The flow to play, or the reason there is none to play. */
  function source(): DryRunSource | FieldIssue {
    if (readOnly) return flowId === null ? { path: '', message: 'Only saved flows can be tried here.' } : { flowId };
    const parsed = parseDefinition(definition);
    return parsed.ok ? { definition: parsed.definition } : parsed.issue;
  }

  async function run(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    const flow = source();
    const lines = messageLines(messages.value);
    result.value = null;
    message.value = null;
    issues.value = [];
    if ('message' in flow) {
      issues.value = [flow];
      return;
    }
    if (lines.length === 0) {
      message.value = 'Write at least one customer message.';
      return;
    }
    busy.value = true;
    try {
      result.value = await dryRunFlow(flow, lines, open.value);
    } catch (error) {
      const refused = refusal(error);
      message.value = refused.message;
      issues.value = refused.issues;
    } finally {
      busy.value = false;
    }
  }

  return (
    <form class="card try-panel" aria-labelledby="try-title" data-testid="try-panel" onSubmit={run}>
      <div class="card-title">
        <h3 id="try-title">Try it</h3>
        <span class="muted small">{readOnly ? 'Plays this version' : 'Plays the definition as edited'}; nothing is sent</span>
      </div>
      <label class="field">
        Customer messages, one per line
        <textarea data-testid="try-messages" rows={4} value={messages.value} onInput={(e) => (messages.value = e.currentTarget.value)} />
      </label>
      <div class="row try-controls">
        <fieldset class="toggle group" aria-label="Campaign hours">
          <button type="button" class={open.value ? 'selected' : ''} aria-pressed={open.value} data-testid="try-hours-open" onClick={() => (open.value = true)}>
            Open hours
          </button>
          <button
            type="button"
            class={open.value ? '' : 'selected'}
            aria-pressed={!open.value}
            data-testid="try-hours-closed"
            onClick={() => (open.value = false)}
          >
            Closed hours
          </button>
        </fieldset>
        <span class="grow" />
        <button type="submit" class="primary" data-testid="try-run" disabled={busy.value}>
          {busy.value ? 'Running…' : 'Run'}
        </button>
      </div>
      <FlowIssues id="try-errors" testId="try-errors" message={message.value} issues={issues.value} onPick={onPickPath} />
      {result.value && <Result result={result.value} />}
    </form>
  );
}
