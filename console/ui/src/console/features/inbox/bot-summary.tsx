import type { ConversationDetail } from '../../../../../../contract/conversations.ts';

type Scalar = string | number | boolean | null;

function valueText(value: Scalar): string {
  if (value === null) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** The variables the bot collected, as a compact key/value list (nothing when there are none). */
function Variables({ variables }: { variables: Record<string, Scalar> }) {
  const entries = Object.entries(variables);
  if (entries.length === 0) return null;
  return (
    <dl class="bot-variables" data-testid="bot-variables">
      {entries.map(([name, value]) => (
        <div key={name} class="bot-variable" data-testid="bot-variable" data-name={name}>
          <dt>{name}</dt>
          <dd title={valueText(value)}>{valueText(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * "From the bot": what the agent needs before answering — the handoff note, the priority the flow
 * gave, which flow (and version) talked to the customer, and what it collected. Hidden when the bot
 * had nothing to say (a campaign without a flow).
 */
export function BotSummaryBox({ conversation }: { conversation: ConversationDetail }) {
  const { bot, handoffNote, priority } = conversation;
  const hasVariables = Object.keys(bot.variables).length > 0;
  if (!handoffNote && priority <= 0 && !bot.flow && !hasVariables && !bot.waitingAt) return null;
  return (
    <section class="bot-summary" aria-label="From the bot" data-testid="bot-summary">
      <div class="bot-summary-head">
        <strong>From the bot</strong>
        {bot.flow && (
          <span class="muted" data-testid="bot-flow">
            {bot.flow.name} · v{bot.flow.version}
          </span>
        )}
        {bot.waitingAt && (
          <span class="muted" data-testid="bot-waiting">
            waiting at <code>{bot.waitingAt}</code>
          </span>
        )}
        {priority > 0 && (
          <span class="badge badge-priority" data-testid="bot-priority" title="Higher waits less in the queue">
            Priority {priority}
          </span>
        )}
      </div>
      {handoffNote && (
        <p class="bot-note" data-testid="handoff-note">
          {handoffNote}
        </p>
      )}
      <Variables variables={bot.variables} />
    </section>
  );
}
