import { computed, signal } from '@preact/signals';
import type { ConversationSummary } from '../../../../../../contract/conversations.ts';
import { api, errorMessage } from '../../../api-client.ts';
import { canSeeAll, me } from '../../shared/session-state.ts';
import { onReset } from '../../shared/reset.ts';

export type InboxScope = 'mine' | 'all';
export type InboxStatus = 'open' | 'closed';

export const scope = signal<InboxScope>('mine');
export const statusFilter = signal<InboxStatus>('open');
export const searchText = signal('');
export const conversations = signal<ConversationSummary[]>([]);
export const inboxLoading = signal(false);
export const inboxError = signal<string | null>(null);

/** Numbers are compared digits-only so "+598 99" matches "+59899…". */
function digits(text: string): string {
  return text.replace(/\D/g, '');
}

function matchesSearch(conversation: ConversationSummary, text: string): boolean {
  const query = text.trim().toLowerCase();
  if (query === '') return true;
  const haystack = [conversation.campaign?.name, conversation.customer.address, conversation.customer.name];
  if (haystack.some((value) => value?.toLowerCase().includes(query))) return true;
  const queryDigits = digits(query);
  return queryDigits.length > 0 && digits(conversation.customer.address).includes(queryDigits);
}

function matchesStatus(conversation: ConversationSummary, status: InboxStatus): boolean {
  return status === 'closed' ? conversation.status === 'closed' : conversation.status !== 'closed';
}

/** What the list shows: the current filters applied locally, newest activity first. */
export const visibleConversations = computed(() =>
  conversations.value
    .filter((c) => matchesStatus(c, statusFilter.value) && matchesSearch(c, searchText.value))
    .sort((a, b) => Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt)),
);

// Each load gets a number; an answer that arrives after a newer request started is dropped,
// so typing fast or toggling filters never shows a stale list.
let latestLoad = 0;

/** (Re)loads the list from the server with the current scope, status and search. */
export async function loadInbox(): Promise<void> {
  const ticket = ++latestLoad;
  const params = new URLSearchParams({ scope: scope.value, status: statusFilter.value });
  const q = searchText.value.trim();
  if (q !== '') params.set('q', q);
  inboxLoading.value = true;
  try {
    const result = await api.get<{ conversations: ConversationSummary[] }>(`/api/conversations?${params}`);
    if (ticket !== latestLoad) return;
    conversations.value = result.conversations;
    inboxError.value = null;
  } catch (error) {
    if (ticket === latestLoad) inboxError.value = errorMessage(error);
  } finally {
    if (ticket === latestLoad) inboxLoading.value = false;
  }
}

/** First load after sign-in: supervisors and admins start on "All", agents only have "Mine". */
export function startInbox(): Promise<void> {
  scope.value = canSeeAll() ? 'all' : 'mine';
  return loadInbox();
}

let searchTimer: ReturnType<typeof setTimeout> | undefined;

/** Filters locally at once and asks the server after a short pause in typing. */
export function setSearch(text: string): void {
  searchText.value = text;
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => void loadInbox(), 250);
}

export function setScope(next: InboxScope): void {
  if (scope.value === next) return;
  scope.value = next;
  void loadInbox();
}

export function setStatusFilter(next: InboxStatus): void {
  if (statusFilter.value === next) return;
  statusFilter.value = next;
  void loadInbox();
}

/** Inserts or updates a conversation pushed by the server (or returned by an action). */
export function upsertConversation(conversation: ConversationSummary): void {
  const list = conversations.value;
  const index = list.findIndex((c) => c.id === conversation.id);
  const mine = conversation.assignedTo !== null && conversation.assignedTo.id === me.value?.id;
  // In "Mine", a conversation that is no longer assigned to me leaves (handed to someone else, back to
  // the bot, back to the queue), as the server's list would drop it; an unknown one only enters if it is mine.
  if (scope.value === 'mine' && !mine) {
    if (index >= 0) conversations.value = list.filter((c) => c.id !== conversation.id);
    return;
  }
  if (index >= 0) {
    conversations.value = list.map((c) => (c.id === conversation.id ? conversation : c));
  } else if (scope.value === 'all' || mine) {
    conversations.value = [conversation, ...list];
  }
}

/** Forgets everything (on logout). */
function resetInbox(): void {
  clearTimeout(searchTimer);
  latestLoad++;
  conversations.value = [];
  searchText.value = '';
  scope.value = 'mine';
  statusFilter.value = 'open';
  inboxError.value = null;
  inboxLoading.value = false;
}
onReset(resetInbox);
