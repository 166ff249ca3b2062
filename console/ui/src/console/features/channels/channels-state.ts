import type { ChannelInput, ChannelSessionEvent, ChannelView, TestSendResult } from '../../../../../../contract/channels.ts';
import { api, errorMessage, isNotFound } from '../../../api-client.ts';
import { createListStore } from '../../shared/list-store.ts';
import { onReset } from '../../shared/reset.ts';

/** Channels whose session changed while the list was loading: the list's answer may predate the change. */
const changedWhileLoading = new Set<number>();
/** Per channel, the newest refetch: an older answer arriving late never overwrites a newer one. */
const latestRefresh = new Map<number, number>();

const channels = createListStore<ChannelView>({
  load: async () => (await api.get<{ channels: ChannelView[] }>('/api/channels')).channels,
  key: (channel) => channel.id,
  order: (a, b) => a.id - b.id,
  afterLoad: () => {
    for (const id of changedWhileLoading) void refreshChannel(id);
    changedWhileLoading.clear();
  },
});

/** The admins' channel list, loaded when the Channels page opens and kept fresh by session events. */
export const channelList = channels.items;
export const channelsLoaded = channels.loaded;
export const channelsLoading = channels.loading;
export const channelsError = channels.error;
/** (Re)loads every channel. */
export const loadChannels = channels.load;

/** Refetches one channel (its session state changed); a deleted one leaves the list. */
export async function refreshChannel(id: number): Promise<void> {
  const ticket = (latestRefresh.get(id) ?? 0) + 1;
  latestRefresh.set(id, ticket);
  try {
    const channel = await api.get<ChannelView>(`/api/channels/${id}`);
    if (latestRefresh.get(id) === ticket) channels.upsert(channel);
  } catch (error) {
    if (latestRefresh.get(id) !== ticket) return;
    if (isNotFound(error)) channels.remove(id);
    else channelsError.value = errorMessage(error);
  }
}

/** A `channel.session` push: the event has no QR image, so the channel is read again. */
export function applySessionEvent(event: ChannelSessionEvent): void {
  if (channelsLoading.value) changedWhileLoading.add(event.channelId);
  else if (channelsLoaded.value) void refreshChannel(event.channelId);
}

/** Catches up after a reconnect or a missed frame, when events may have been missed. */
export async function reloadChannelsIfShown(): Promise<void> {
  if (channelsLoaded.value) await loadChannels();
}

/** Forgets the refetches under way (on logout); the list store forgets the list. */
onReset(() => {
  latestRefresh.clear();
  changedWhileLoading.clear();
});

/** Creates a channel; throws the server's error so the form can show its fields. */
export async function createChannel(input: ChannelInput): Promise<ChannelView> {
  const created = await api.post<ChannelView>('/api/channels', input);
  channels.upsert(created);
  return created;
}

/** Changes what the patch names; secrets named are replaced, the others kept. */
export async function updateChannel(id: number, patch: Partial<Omit<ChannelInput, 'type'>>): Promise<ChannelView> {
  const updated = await api.patch<ChannelView>(`/api/channels/${id}`, patch);
  channels.upsert(updated);
  return updated;
}

/** Sends one message through the channel; a provider's refusal (502) is a result, not an exception. */
export function testSend(id: number, to: string, text: string): Promise<TestSendResult> {
  return api.post<TestSendResult>(`/api/channels/${id}/test-send`, { to, text }, undefined, [502]);
}
