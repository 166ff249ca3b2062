import { signal } from '@preact/signals';
import type { ChannelInput, ChannelSessionEvent, ChannelView, TestSendResult } from '../../../../contract/channels.ts';
import type { FieldIssue } from '../../../../contract/common.ts';
import { api, ApiRequestError, errorMessage, isNotFound } from '../api-client.ts';

/** The admins' channel list, loaded when the Channels page opens and kept fresh by session events. */
export const channelList = signal<ChannelView[]>([]);
export const channelsLoaded = signal(false);
export const channelsLoading = signal(false);
export const channelsError = signal<string | null>(null);

let latestLoad = 0;
/** Channels whose session changed while the list was loading: the list's answer may predate the change. */
const changedWhileLoading = new Set<number>();
/** Per channel, the newest refetch: an older answer arriving late never overwrites a newer one. */
const latestRefresh = new Map<number, number>();

function upsert(channel: ChannelView): void {
  const list = channelList.value;
  channelList.value = list.some((c) => c.id === channel.id)
    ? list.map((c) => (c.id === channel.id ? channel : c))
    : [...list, channel].sort((a, b) => a.id - b.id);
}

/** (Re)loads every channel. */
export async function loadChannels(): Promise<void> {
  const ticket = ++latestLoad;
  channelsLoading.value = true;
  try {
    const result = await api.get<{ channels: ChannelView[] }>('/api/channels');
    if (ticket !== latestLoad) return;
    channelList.value = result.channels;
    channelsLoaded.value = true;
    channelsError.value = null;
    for (const id of changedWhileLoading) void refreshChannel(id);
    changedWhileLoading.clear();
  } catch (error) {
    if (ticket === latestLoad) channelsError.value = errorMessage(error);
  } finally {
    if (ticket === latestLoad) channelsLoading.value = false;
  }
}

/** Refetches one channel (its session state changed); a deleted one leaves the list. */
export async function refreshChannel(id: number): Promise<void> {
  const ticket = (latestRefresh.get(id) ?? 0) + 1;
  latestRefresh.set(id, ticket);
  try {
    const channel = await api.get<ChannelView>(`/api/channels/${id}`);
    if (latestRefresh.get(id) === ticket) upsert(channel);
  } catch (error) {
    if (latestRefresh.get(id) !== ticket) return;
    if (isNotFound(error)) channelList.value = channelList.value.filter((c) => c.id !== id);
    else channelsError.value = errorMessage(error);
  }
}

/** A `channel.session` push: the event has no QR image, so the channel is read again. */
export function applySessionEvent(event: ChannelSessionEvent): void {
  if (channelsLoading.value) changedWhileLoading.add(event.channelId);
  else if (channelsLoaded.value) void refreshChannel(event.channelId);
}

/** Catches up after a reconnect, when events may have been missed. */
export function reloadChannelsIfShown(): void {
  if (channelsLoaded.value) void loadChannels();
}

/** Forgets the list (on logout). */
export function resetChannels(): void {
  latestLoad++;
  latestRefresh.clear();
  changedWhileLoading.clear();
  channelList.value = [];
  channelsLoaded.value = false;
  channelsLoading.value = false;
  channelsError.value = null;
}

/** Creates a channel; throws the server's error so the form can show its fields. */
export async function createChannel(input: ChannelInput): Promise<ChannelView> {
  const created = await api.post<ChannelView>('/api/channels', input);
  upsert(created);
  return created;
}

/** Changes what the patch names; secrets named are replaced, the others kept. */
export async function updateChannel(id: number, patch: Partial<Omit<ChannelInput, 'type'>>): Promise<ChannelView> {
  const updated = await api.patch<ChannelView>(`/api/channels/${id}`, patch);
  upsert(updated);
  return updated;
}

/** Sends one message through the channel; a provider's refusal (502) is a result, not an exception. */
export function testSend(id: number, to: string, text: string): Promise<TestSendResult> {
  return api.post<TestSendResult>(`/api/channels/${id}/test-send`, { to, text }, undefined, [502]);
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
