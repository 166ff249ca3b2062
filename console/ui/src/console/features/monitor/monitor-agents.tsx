import { useSignal } from '@preact/signals';
import type { ConversationSummary } from '../../../../../../contract/conversations.ts';
import type { AgentMonitor } from '../../../../../../contract/routing.ts';
import { openChatWith } from '../agent-chat/agent-chat-state.ts';
import { agentActionError, conversationsByAgent, logOutAgent, monitorLoaded, pauseAgent, resumeAgent, shownAgents, spyOn } from './monitor-state.ts';
import { formatDuration, secondsSince } from '../../shared/elapsed.ts';
import { me } from '../../shared/session-state.ts';

const STATUS_LABELS: Record<AgentMonitor['status'], string> = {
  offline: 'Offline',
  free: 'Free',
  busy: 'Busy',
  free_on_break: 'Free on break',
  busy_on_break: 'Busy on break',
};

function AgentStatus({ agent }: { agent: AgentMonitor }) {
  return (
    <span class={`agent-status status-${agent.status}`} data-testid="agent-status" data-status={agent.status}>
      <span class="status-icon" aria-hidden="true" />
      {STATUS_LABELS[agent.status]}
      {agent.breakName && <span class="break-name"> · {agent.breakName}</span>}
    </span>
  );
}

/** Pause (a break from the configured ones), Resume, Log out (asks first), Chat, and Spy per held conversation. */
function AgentActions({ agent, held }: { agent: AgentMonitor; held: ConversationSummary[] }) {
  const confirming = useSignal(false);
  const busy = useSignal(false);
  const breaks = me.value?.breaks ?? [];
  const isMe = agent.userId === me.value?.id;
  async function run(action: () => Promise<boolean>) {
    if (busy.value) return;
    busy.value = true;
    await action();
    busy.value = false;
    confirming.value = false;
  }
  return (
    <div class="agent-actions">
      {!isMe && agent.state === 'available' && (
        <select
          class="pause-select"
          data-testid="pause-agent"
          aria-label={`Pause ${agent.displayName}`}
          value=""
          disabled={busy.value || breaks.length === 0}
          title={breaks.length === 0 ? 'No breaks are configured' : 'Put the agent on a break'}
          onChange={(e) => {
            const breakName = e.currentTarget.value;
            e.currentTarget.value = '';
            if (breakName) void run(() => pauseAgent(agent.userId, breakName));
          }}
        >
          <option value="">Pause…</option>
          {breaks.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      )}
      {!isMe && agent.state === 'break' && (
        <button type="button" data-testid="resume-agent" disabled={busy.value} onClick={() => void run(() => resumeAgent(agent.userId))}>
          Resume
        </button>
      )}
      {!isMe &&
        (confirming.value ? (
          <fieldset class="confirm group" aria-label={`Log out ${agent.displayName}?`}>
            <span class="small">Log out?</span>
            <button type="button" class="danger" data-testid="confirm-logout" disabled={busy.value} onClick={() => void run(() => logOutAgent(agent.userId))}>
              Yes
            </button>
            <button type="button" class="ghost" onClick={() => (confirming.value = false)}>
              No
            </button>
          </fieldset>
        ) : (
          <button
            type="button"
            class="danger"
            data-testid="logout-agent"
            title="End the agent's sessions; their chats go back to the queue"
            onClick={() => (confirming.value = true)}
          >
            Log out
          </button>
        ))}
      {!isMe && (
        <button type="button" data-testid="chat-agent" onClick={() => void openChatWith(agent.userId, agent.displayName)}>
          Chat
        </button>
      )}
      {held.map((conversation) => (
        <button
          key={conversation.id}
          type="button"
          class="link-button"
          data-testid="spy"
          data-conversation-id={conversation.id}
          title={`Watch ${conversation.customer.address} read-only`}
          onClick={() => void spyOn(conversation.id)}
        >
          Spy {conversation.customer.address}
        </button>
      ))}
    </div>
  );
}

/** The agents of the shown campaigns: status, time in it, their chats, and what a supervisor may do to them. */
export function AgentsTable({ now }: { now: number }) {
  const agents = shownAgents.value;
  const held = conversationsByAgent.value;
  return (
    <section class="monitor-section" aria-labelledby="agents-title">
      <h2 id="agents-title">Agents</h2>
      {agentActionError.value && (
        <p class="inline-error" role="alert" data-testid="agent-action-error">
          {agentActionError.value}
        </p>
      )}
      <div class="table-scroll">
        <table class="channels-table monitor-table" data-testid="agents-table">
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Agent</th>
              <th scope="col">Channels</th>
              <th scope="col">Active</th>
              <th scope="col">Completed</th>
              <th scope="col">In state</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((agent) => (
              <tr key={agent.userId} data-testid="agent-row" data-user-id={agent.userId}>
                <td>
                  <AgentStatus agent={agent} />
                </td>
                <th scope="row">{agent.displayName}</th>
                <td class="wrap">
                  {agent.channels.map((type) => (
                    <span key={type} class="channel-tag">
                      {type}
                    </span>
                  ))}
                </td>
                <td data-testid="agent-active">{agent.active}</td>
                <td>{agent.completedToday}</td>
                <td class="mono" data-testid="agent-since">
                  {formatDuration(secondsSince(agent.since, now))}
                </td>
                <td class="wrap">
                  <AgentActions agent={agent} held={held.get(agent.userId) ?? []} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {agents.length === 0 && monitorLoaded.value && <p class="empty-list muted">No agents are members of these campaigns.</p>}
    </section>
  );
}
