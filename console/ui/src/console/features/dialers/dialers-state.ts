import { signal } from '@preact/signals';
import type { CampaignView, ScheduleView } from '../../../../../../contract/campaigns.ts';
import type { ChannelView } from '../../../../../../contract/channels.ts';
import type { DialerInput, DialerView } from '../../../../../../contract/dialer.ts';
import { api, errorMessage, request } from '../../../api-client.ts';
import { createListStore } from '../../shared/list-store.ts';
import { onReset } from '../../shared/reset.ts';

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

const dialers = createListStore<DialerView>({
  load: async () => (await api.get<{ dialers: DialerView[] }>('/api/dialers')).dialers,
  key: (dialer) => dialer.id,
  order: byName,
});

/** The dialers I may see (admins: all; supervisors: those of their security groups), by name. */
export const dialerList = dialers.items;
export const dialersLoaded = dialers.loaded;
export const dialersError = dialers.error;
/** (Re)loads the dialer list. */
export const loadDialers = dialers.load;

/** What the dialer form and the pages around it offer in their selects; each list loads on its own. */
export type DialerOptions = {
  /** Null when the list could not be read (supervisors may not list channels): the form offers the dialer's own. */
  channels: Pick<ChannelView, 'id' | 'name' | 'type' | 'enabled'>[] | null;
  schedules: Pick<ScheduleView, 'id' | 'name' | 'timeZone'>[];
  securityGroups: { id: number; name: string }[];
  campaigns: Pick<CampaignView, 'id' | 'name' | 'enabled'>[];
};

const NO_OPTIONS: DialerOptions = { channels: null, schedules: [], securityGroups: [], campaigns: [] };
export const dialerOptions = signal<DialerOptions>(NO_OPTIONS);
export const dialerOptionsError = signal<string | null>(null);

let latestOptions = 0;

/** Loads the selects' choices; channels only for admins (the only ones who may list them). */
export async function loadDialerOptions(isAdmin: boolean): Promise<void> {
  const ticket = ++latestOptions;
  const [channels, schedules, groups, campaigns] = await Promise.allSettled([
    isAdmin ? api.get<{ channels: ChannelView[] }>('/api/channels') : Promise.resolve(null),
    api.get<{ schedules: ScheduleView[] }>('/api/schedules'),
    api.get<{ securityGroups: { id: number; name: string }[] }>('/api/security-groups'),
    api.get<{ campaigns: CampaignView[] }>('/api/campaigns'),
  ]);
  if (ticket !== latestOptions) return;
  const value = <T>(result: PromiseSettledResult<T>): T | null => (result.status === 'fulfilled' ? result.value : null);
  const channelList = value(channels);
  dialerOptions.value = {
    channels: channelList ? channelList.channels.map(({ id, name, type, enabled }) => ({ id, name, type, enabled })).sort(byName) : null,
    schedules: value(schedules)?.schedules ?? [],
    securityGroups: value(groups)?.securityGroups ?? [],
    campaigns: (value(campaigns)?.campaigns ?? []).map(({ id, name, enabled }) => ({ id, name, enabled })).sort(byName),
  };
  const failed = [channels, schedules, groups, campaigns].find((result) => result.status === 'rejected');
  dialerOptionsError.value = failed ? `Some choices could not be loaded: ${errorMessage(failed.reason)}` : null;
}

/** Forgets the selects' choices (on logout); the list store forgets the list. */
onReset(() => {
  latestOptions++;
  dialerOptions.value = NO_OPTIONS;
  dialerOptionsError.value = null;
});

/** Creates a dialer (admins); throws the server's error so the form can show its fields. */
export async function createDialer(input: DialerInput): Promise<DialerView> {
  const created = await api.post<DialerView>('/api/dialers', input);
  dialers.upsert(created);
  return created;
}

/** Changes only what the patch names (admins). */
export async function updateDialer(id: number, patch: Partial<DialerInput>): Promise<DialerView> {
  const updated = await api.patch<DialerView>(`/api/dialers/${id}`, patch);
  dialers.upsert(updated);
  return updated;
}

/** Deletes a dialer (admins); a 409 means spool rows refer to it. */
export async function deleteDialer(id: number): Promise<void> {
  await request<void>('DELETE', `/api/dialers/${id}`);
  dialers.remove(id);
}

/** Keeps the list current after a start or stop made elsewhere on the page (the monitor). */
export function applyDialerView(dialer: DialerView): void {
  if (dialerList.value.some((d) => d.id === dialer.id)) dialers.upsert(dialer);
}
