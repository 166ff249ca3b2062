import { computed, signal } from '@preact/signals';
import type { ConversationDetail, ConversationSummary, MessageView } from '../../../../../../contract/conversations.ts';
import { api, errorMessage, isNotFound } from '../../../api-client.ts';
import { conversationIdInUrl, showConversationInUrl } from './conversation-url.ts';
import { upsertConversation } from './inbox-state.ts';
import { canSeeAll, me } from '../../shared/session-state.ts';

/** The conversation open on the right, with its transcript. */
export const selectedId = signal<number | null>(null);
export const detail = signal<ConversationDetail | null>(null);
export const detailLoading = signal(false);
/** Failure to load the conversation. */
export const detailError = signal<string | null>(null);
/** Failure of an action (reply, take, return to bot, close), shown next to the reply box. */
export const actionError = signal<string | null>(null);

/** Replying is for the assignee of an assigned conversation only (the server enforces it too). */
export const canReply = computed(() => {
  const conversation = detail.value;
  return conversation?.status === 'assigned' && conversation.assignedTo?.id === me.value?.id;
});

function byCreation(a: MessageView, b: MessageView): number {
  return Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id;
}

let latestOpen = 0;

/**
 * Selects a conversation, names it in the URL and loads its transcript (a newer selection wins over a
 * slow answer). One that does not exist or is not mine (404) leaves the empty state and a clean URL.
 */
export async function openConversation(id: number): Promise<void> {
  const ticket = ++latestOpen;
  selectedId.value = id;
  showConversationInUrl(id);
  actionError.value = null;
  detailError.value = null;
  if (detail.value?.id !== id) detail.value = null;
  detailLoading.value = true;
  try {
    const loaded = await api.get<ConversationDetail>(`/api/conversations/${id}`);
    if (ticket !== latestOpen) return;
    detail.value = { ...loaded, messages: [...loaded.messages].sort(byCreation) };
  } catch (error) {
    if (ticket !== latestOpen) return;
    if (isNotFound(error)) {
      resetView();
      showConversationInUrl(null, 'replace');
    } else {
      detailError.value = errorMessage(error);
    }
  } finally {
    if (ticket === latestOpen) detailLoading.value = false;
  }
}

/** Follows the URL (on load, Back/Forward): opens the conversation it names, or goes back to the empty state. */
export function followUrl(): void {
  const id = conversationIdInUrl();
  if (id === selectedId.value) return;
  if (id === null) closeView();
  else void openConversation(id);
}

/** Reloads the open conversation (after a reconnect or a missed frame, events may have been missed). */
export async function refreshOpenConversation(): Promise<void> {
  if (selectedId.value !== null) await openConversation(selectedId.value);
}

function resetView(): void {
  latestOpen++;
  selectedId.value = null;
  detail.value = null;
  detailError.value = null;
  actionError.value = null;
  detailLoading.value = false;
}

/** Back to the empty state, with a history entry so Forward reopens the conversation. */
export function closeView(): void {
  resetView();
  showConversationInUrl(null);
}

/** Adds or updates a message of the open conversation; ids make socket echoes harmless. */
export function upsertMessage(message: MessageView): void {
  const current = detail.value;
  if (!current || current.id !== message.conversationId) return;
  const exists = current.messages.some((m) => m.id === message.id);
  const messages = exists ? current.messages.map((m) => (m.id === message.id ? message : m)) : [...current.messages, message].sort(byCreation);
  detail.value = { ...current, messages };
}

let latestReload = 0;

/**
 * Reads the open conversation again without leaving it: a status change brings a new handoff note,
 * priority or bot state that summaries do not carry. One I may no longer see (handed back to the bot
 * by me, an agent) keeps showing what I last saw, with the new status.
 */
async function reloadDetail(id: number): Promise<void> {
  const ticket = ++latestReload;
  const opened = latestOpen;
  try {
    const loaded = await api.get<ConversationDetail>(`/api/conversations/${id}`);
    if (ticket !== latestReload || opened !== latestOpen || detail.value?.id !== id) return;
    // Messages may have arrived over the socket while this was loading: keep them.
    const known = new Map(detail.value.messages.map((m) => [m.id, m]));
    for (const message of loaded.messages) known.set(message.id, message);
    detail.value = { ...loaded, messages: [...known.values()].sort(byCreation) };
  } catch {
    // Not visible any more (404) or not reachable: the status already shows; a reconnect reloads it all.
  }
}

/** Applies a summary pushed by the server (or returned by an action) to the open conversation. */
export function applySummary(summary: ConversationSummary): void {
  const current = detail.value;
  if (!current || current.id !== summary.id) return;
  detail.value = { ...current, ...summary };
  if (current.status !== summary.status) void reloadDetail(summary.id);
}

/** Runs an action on the open conversation; its refusal (a 409's message) shows next to the reply box. */
async function conversationAction(path: 'take' | 'return-to-bot' | 'close'): Promise<boolean> {
  const current = detail.value;
  if (!current) return false;
  actionError.value = null;
  try {
    const summary = await api.post<ConversationSummary>(`/api/conversations/${current.id}/${path}`, path === 'return-to-bot' ? {} : undefined);
    applySummary(summary);
    upsertConversation(summary);
    return true;
  } catch (error) {
    actionError.value = errorMessage(error);
    return false;
  }
}

/** Takes the open conversation from the bot or the queue (agents of its campaign within its limit, supervisors). */
export function takeConversation(): Promise<boolean> {
  return conversationAction('take');
}

/** Hands the open conversation back to the bot, which starts its flow again (the assignee or a supervisor). */
export async function returnToBot(): Promise<boolean> {
  const returned = await conversationAction('return-to-bot');
  // The server drops the handoff note with the handoff; an agent may no longer read the conversation, so say it here.
  if (returned && detail.value) detail.value = { ...detail.value, handoffNote: null };
  return returned;
}

/** Take: for a conversation with the bot or waiting; the server decides whether I may. */
export const canTake = computed(() => {
  const status = detail.value?.status;
  return status === 'bot' || status === 'queued';
});

/** Return to bot: the assignee of an assigned conversation, or a supervisor on an assigned or queued one. */
export const canReturnToBot = computed(() => {
  const conversation = detail.value;
  if (!conversation) return false;
  if (canSeeAll()) return conversation.status === 'assigned' || conversation.status === 'queued';
  return conversation.status === 'assigned' && conversation.assignedTo?.id === me.value?.id;
});

/** Sends the agent's reply; resolves true when the server accepted it. */
export async function sendReply(body: string): Promise<boolean> {
  const current = detail.value;
  if (!current) return false;
  actionError.value = null;
  try {
    upsertMessage(await api.post<MessageView>(`/api/conversations/${current.id}/messages`, { body }));
    return true;
  } catch (error) {
    actionError.value = errorMessage(error);
    return false;
  }
}

/** Closes the open conversation. */
export async function closeConversation(): Promise<void> {
  await conversationAction('close');
}
