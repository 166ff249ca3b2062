import { computed, signal } from '@preact/signals';
import type { AgentView } from '../../../../../../contract/campaigns.ts';
import type { AgentChatMessage, AgentChatThread } from '../../../../../../contract/routing.ts';
import { api, errorMessage } from '../../../api-client.ts';
import { canSeeAll, me } from '../../shared/session-state.ts';
import { onReset } from '../../shared/reset.ts';

/** One conversation of the internal chat: the other person, our messages oldest first, and what I have not read. */
export type ChatThread = { userId: number; name: string; messages: AgentChatMessage[]; unread: number; loaded: boolean };

/** Internal chat between supervisors and agents, never sent to a customer. */
export const threads = signal<ChatThread[]>([]);
export const chatOpen = signal(false);
/** The thread the drawer shows. */
export const activeUserId = signal<number | null>(null);
export const chatError = signal<string | null>(null);
/** Supervisors start chats with the agents they manage; agents only answer whoever wrote to them. */
export const chatContacts = signal<{ userId: number; name: string }[]>([]);

export const unreadTotal = computed(() => threads.value.reduce((sum, thread) => sum + thread.unread, 0));
export const activeThread = computed(() => threads.value.find((thread) => thread.userId === activeUserId.value) ?? null);

function byId(a: AgentChatMessage, b: AgentChatMessage): number {
  return a.id - b.id;
}

function updateThread(userId: number, name: string | null, change: (thread: ChatThread) => ChatThread): void {
  const list = threads.value;
  const current = list.find((thread) => thread.userId === userId) ?? { userId, name: name ?? `User ${userId}`, messages: [], unread: 0, loaded: false };
  const next = change(name ? { ...current, name } : current);
  // The thread with the newest message first, like an inbox.
  threads.value = [next, ...list.filter((thread) => thread.userId !== userId)];
}

function withMessages(thread: ChatThread, messages: AgentChatMessage[]): ChatThread {
  const known = new Map(thread.messages.map((m) => [m.id, m]));
  for (const message of messages) known.set(message.id, message);
  return { ...thread, messages: [...known.values()].sort(byId) };
}

/** Whether I am looking at that thread right now (its messages count as read). */
function reading(userId: number): boolean {
  return chatOpen.value && activeUserId.value === userId && document.visibilityState !== 'hidden';
}

/** Counts pushed messages, so a thread list read meanwhile does not undercount them. */
let pushes = 0;
/** Bumped on reset, so an answer for the previous user is dropped. */
let generation = 0;

/** An `agent-chat.message` push, or the answer to my own send (ids make the echo harmless). */
export function applyChatMessage(message: AgentChatMessage): void {
  const myId = me.value?.id;
  const incoming = message.fromUserId !== myId;
  pushes++;
  const otherId = incoming ? message.fromUserId : message.toUserId;
  updateThread(otherId, incoming ? message.fromName : null, (thread) => {
    const isNew = !thread.messages.some((m) => m.id === message.id);
    const next = withMessages(thread, [message]);
    return incoming && isNew && !reading(otherId) ? { ...next, unread: next.unread + 1 } : next;
  });
  // An agent has no one to write to until someone writes: the first message picks the thread.
  if (incoming && activeUserId.value === null) activeUserId.value = otherId;
  // Seen as it arrived: tell the server (reading the thread marks it read), or it counts as unread after a reload.
  if (incoming && reading(otherId)) void loadThread(otherId);
}

/** Reads my thread with a user (which marks it read server-side) and merges it in. */
async function loadThread(userId: number): Promise<void> {
  const started = generation;
  try {
    const { messages } = await api.get<{ messages: AgentChatMessage[] }>(`/api/agent-chat/${userId}`);
    if (started !== generation) return;
    // In place: reading a thread does not make it the latest.
    threads.value = threads.value.map((thread) => (thread.userId === userId ? { ...withMessages(thread, messages), loaded: true } : thread));
  } catch (error) {
    if (started === generation) chatError.value = errorMessage(error);
  }
}

/**
 * Reads my threads from the server (at sign-in and after a reconnect), so the list and the unread badge
 * include what arrived while I was away; threads known only here (one just opened) stay after them.
 */
export async function loadChatThreads(): Promise<void> {
  const started = generation;
  const pushesBefore = pushes;
  let list: AgentChatThread[];
  try {
    ({ threads: list } = await api.get<{ threads: AgentChatThread[] }>('/api/agent-chat'));
  } catch {
    // Not reachable now: the next reconnect reads them again, and pushes keep the count meanwhile.
    return;
  }
  if (started !== generation) return;
  // A message pushed while the list was on its way may be missing from its counts: keep the higher count then.
  const raced = pushes !== pushesBefore;
  const local = new Map(threads.value.map((thread) => [thread.userId, thread]));
  const fromServer = list.map((item): ChatThread => {
    const known = local.get(item.userId);
    const unread = reading(item.userId) ? 0 : raced ? Math.max(item.unread, known?.unread ?? 0) : item.unread;
    return { userId: item.userId, name: item.displayName, messages: known?.messages ?? [], loaded: known?.loaded ?? false, unread };
  });
  const listed = new Set(list.map((item) => item.userId));
  threads.value = [...fromServer, ...threads.value.filter((thread) => !listed.has(thread.userId))];
  // The open thread may have missed messages while disconnected.
  const open = activeUserId.value;
  if (chatOpen.value && open !== null) void loadThread(open);
}

/** Opens the drawer on the thread with a user (loading it, which marks it read server-side). */
export async function openChatWith(userId: number, name: string): Promise<void> {
  chatOpen.value = true;
  activeUserId.value = userId;
  chatError.value = null;
  updateThread(userId, name, (thread) => ({ ...thread, unread: 0 }));
  await loadThread(userId);
}

/** Shows or hides the drawer; opening it shows the latest thread and loads the contacts a supervisor can write to. */
export function toggleChat(): void {
  if (chatOpen.value) {
    chatOpen.value = false;
    return;
  }
  chatOpen.value = true;
  const thread = activeThread.value ?? threads.value[0] ?? null;
  if (thread) void openChatWith(thread.userId, thread.name);
  if (canSeeAll() && chatContacts.value.length === 0) void loadContacts();
}

export function closeChat(): void {
  chatOpen.value = false;
}

async function loadContacts(): Promise<void> {
  try {
    const { agents } = await api.get<{ agents: AgentView[] }>('/api/agents');
    const myId = me.value?.id;
    chatContacts.value = agents.filter((agent) => agent.id !== myId && agent.enabled).map((agent) => ({ userId: agent.id, name: agent.displayName }));
  } catch (error) {
    chatError.value = errorMessage(error);
  }
}

/** Sends to the open thread; resolves true when the server accepted it. */
export async function sendChat(body: string): Promise<boolean> {
  const to = activeUserId.value;
  if (to === null) return false;
  chatError.value = null;
  try {
    applyChatMessage(await api.post<AgentChatMessage>(`/api/agent-chat/${to}`, { body }));
    return true;
  } catch (error) {
    chatError.value = errorMessage(error);
    return false;
  }
}

/** Forgets everything (on logout). */
function resetAgentChat(): void {
  generation++;
  threads.value = [];
  chatOpen.value = false;
  activeUserId.value = null;
  chatError.value = null;
  chatContacts.value = [];
}
onReset(resetAgentChat);
