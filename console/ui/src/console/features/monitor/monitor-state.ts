import { computed, signal } from '@preact/signals';
import type { Presence } from '../../../../../../contract/common.ts';
import type { ConversationDetail, ConversationSummary, MessageView } from '../../../../../../contract/conversations.ts';
import type { AgentMonitor, CampaignMonitor, MonitorSnapshot } from '../../../../../../contract/routing.ts';
import { api, errorMessage } from '../../../api-client.ts';
import { onReset } from '../../shared/reset.ts';

/** The supervisors' live Monitor: campaigns' figures, their agents, and the conversations agents hold (for Spy). */
export const campaignMonitors = signal<CampaignMonitor[]>([]);
export const agentMonitors = signal<AgentMonitor[]>([]);
/** Open conversations assigned to an agent, from the supervisor's "all" scope: the Spy links. */
export const heldConversations = signal<ConversationSummary[]>([]);
export const monitorLoaded = signal(false);
export const monitorError = signal<string | null>(null);
/** The campaign the page shows, or null for every campaign. */
export const campaignFilter = signal<number | null>(null);
/** The outcome of the last action on an agent (pause, resume, log out), shown above the table. */
export const agentActionError = signal<string | null>(null);

/** The conversation a supervisor is watching read-only, kept live by `message.created`. */
export const spied = signal<ConversationDetail | null>(null);
export const spyError = signal<string | null>(null);

export const shownCampaigns = computed(() => {
  const only = campaignFilter.value;
  return only === null ? campaignMonitors.value : campaignMonitors.value.filter((c) => c.campaignId === only);
});

export const shownAgents = computed(() => {
  const only = campaignFilter.value;
  return only === null ? agentMonitors.value : agentMonitors.value.filter((a) => a.campaignIds.includes(only));
});

/** Customers on hold in the shown campaigns: highest priority first, then the longest waiting. */
export const shownOnHold = computed(() =>
  shownCampaigns.value
    .flatMap((campaign) => campaign.onHold.map((hold) => ({ ...hold, campaign: campaign.name })))
    .sort((a, b) => b.priority - a.priority || Date.parse(a.queuedAt) - Date.parse(b.queuedAt)),
);

/** Each agent's assigned conversations, for the Spy links of their row. */
export const conversationsByAgent = computed(() => {
  const byAgent = new Map<number, ConversationSummary[]>();
  for (const conversation of heldConversations.value) {
    if (conversation.status !== 'assigned' || !conversation.assignedTo) continue;
    const list = byAgent.get(conversation.assignedTo.id) ?? [];
    list.push(conversation);
    byAgent.set(conversation.assignedTo.id, list);
  }
  return byAgent;
});

let latestLoad = 0;
/** Pushes that arrive while a snapshot is on its way: applied on top of it, since they may be newer. */
let pushedWhileLoading: { campaigns: CampaignMonitor[]; agents: AgentMonitor[][] } | null = null;

/** (Re)loads the snapshot and the held conversations; live events then keep both current. */
export async function loadMonitor(): Promise<void> {
  const ticket = ++latestLoad;
  pushedWhileLoading ??= { campaigns: [], agents: [] };
  try {
    const [snapshot, open] = await Promise.all([
      api.get<MonitorSnapshot>('/api/monitor'),
      api.get<{ conversations: ConversationSummary[] }>('/api/conversations?scope=all&status=open'),
    ]);
    if (ticket !== latestLoad) return;
    campaignMonitors.value = snapshot.campaigns;
    agentMonitors.value = snapshot.agents;
    heldConversations.value = open.conversations.filter((c) => c.status === 'assigned');
    monitorLoaded.value = true;
    monitorError.value = null;
    const pushed = pushedWhileLoading;
    pushedWhileLoading = null;
    for (const campaign of pushed?.campaigns ?? []) applyCampaignMonitor(campaign);
    for (const agents of pushed?.agents ?? []) applyAgentMonitors(agents);
  } catch (error) {
    if (ticket !== latestLoad) return;
    pushedWhileLoading = null;
    monitorError.value = errorMessage(error);
  }
}

/** Catches up after a reconnect or a missed frame, when events may have been missed. */
export async function reloadMonitorIfShown(): Promise<void> {
  await Promise.all([monitorLoaded.value ? loadMonitor() : undefined, spied.value ? spyOn(spied.value.id) : undefined]);
}

/** A `monitor.campaign` push replaces that campaign (figures are recomputed server-side, never patched here). */
export function applyCampaignMonitor(campaign: CampaignMonitor): void {
  if (pushedWhileLoading) pushedWhileLoading.campaigns.push(campaign);
  if (!monitorLoaded.value) return;
  const list = campaignMonitors.value;
  const current = list.find((c) => c.campaignId === campaign.campaignId);
  // Two rounds can cross on the wire: the later computation wins.
  if (current && Date.parse(current.computedAt) > Date.parse(campaign.computedAt)) return;
  campaignMonitors.value = current
    ? list.map((c) => (c.campaignId === campaign.campaignId ? campaign : c))
    : [...list, campaign].sort((a, b) => a.campaignId - b.campaignId);
}

/** A `monitor.agents` push replaces those agents (new ones join the table, in name order). */
export function applyAgentMonitors(agents: AgentMonitor[]): void {
  if (pushedWhileLoading) pushedWhileLoading.agents.push(agents);
  if (!monitorLoaded.value || agents.length === 0) return;
  const incoming = new Map(agents.map((agent) => [agent.userId, agent]));
  const kept = agentMonitors.value.map((agent) => incoming.get(agent.userId) ?? agent);
  const known = new Set(kept.map((agent) => agent.userId));
  const added = agents.filter((agent) => !known.has(agent.userId));
  agentMonitors.value = added.length === 0 ? kept : [...kept, ...added].sort((a, b) => a.displayName.localeCompare(b.displayName) || a.userId - b.userId);
}

/** A `conversation.upserted` push: keeps the Spy links and the spied conversation's header current. */
export function applyMonitorConversation(conversation: ConversationSummary): void {
  if (monitorLoaded.value) {
    const others = heldConversations.value.filter((c) => c.id !== conversation.id);
    const held = conversation.status === 'assigned' && conversation.assignedTo !== null;
    if (held || others.length !== heldConversations.value.length) heldConversations.value = held ? [...others, conversation] : others;
  }
  const watched = spied.value;
  if (watched?.id === conversation.id) spied.value = { ...watched, ...conversation };
}

function byCreation(a: MessageView, b: MessageView): number {
  return Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id;
}

/** A `message.created` / `message.updated` push for the spied conversation. */
export function applySpyMessage(message: MessageView): void {
  const watched = spied.value;
  if (!watched || watched.id !== message.conversationId) return;
  const exists = watched.messages.some((m) => m.id === message.id);
  const messages = exists ? watched.messages.map((m) => (m.id === message.id ? message : m)) : [...watched.messages, message].sort(byCreation);
  spied.value = { ...watched, messages };
}

let latestSpy = 0;

/** Opens a conversation read-only (audited by the server); messages then arrive over the campaign's events. */
export async function spyOn(conversationId: number): Promise<void> {
  const ticket = ++latestSpy;
  spyError.value = null;
  try {
    const detail = await api.post<ConversationDetail>(`/api/conversations/${conversationId}/spy`);
    if (ticket !== latestSpy) return;
    // Messages pushed while the request was on its way are kept.
    const pushed = spied.value?.id === conversationId ? spied.value.messages : [];
    const known = new Map([...pushed, ...detail.messages].map((m) => [m.id, m]));
    spied.value = { ...detail, messages: [...known.values()].sort(byCreation) };
  } catch (error) {
    if (ticket === latestSpy) spyError.value = errorMessage(error);
  }
}

export function stopSpying(): void {
  latestSpy++;
  spied.value = null;
  spyError.value = null;
}

async function agentAction(run: () => Promise<unknown>): Promise<boolean> {
  agentActionError.value = null;
  try {
    await run();
    return true;
  } catch (error) {
    agentActionError.value = errorMessage(error);
    return false;
  }
}

/** Puts an agent on a named break; the row changes when the server pushes the agent's new figures. */
export function pauseAgent(userId: number, breakName: string): Promise<boolean> {
  return agentAction(() => api.put<Presence>(`/api/agents/${userId}/presence`, { state: 'break', breakName }));
}

/** Back to available after a break. */
export function resumeAgent(userId: number): Promise<boolean> {
  return agentAction(() => api.put<Presence>(`/api/agents/${userId}/presence`, { state: 'available' }));
}

/** Ends every session of the agent; their chats go back to the queue. */
export function logOutAgent(userId: number): Promise<boolean> {
  return agentAction(() => api.post<void>(`/api/agents/${userId}/logout`));
}

/** Forgets everything (on logout). */
function resetMonitor(): void {
  latestLoad++;
  pushedWhileLoading = null;
  campaignMonitors.value = [];
  agentMonitors.value = [];
  heldConversations.value = [];
  monitorLoaded.value = false;
  monitorError.value = null;
  campaignFilter.value = null;
  agentActionError.value = null;
  stopSpying();
}
onReset(resetMonitor);
