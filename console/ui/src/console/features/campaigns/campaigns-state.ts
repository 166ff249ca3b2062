import { signal } from '@preact/signals';
import type { BotFlowSummary } from '../../../../../../contract/bot-flows.ts';
import type { CampaignInput, CampaignView, ScheduleView } from '../../../../../../contract/campaigns.ts';
import type { ChannelView } from '../../../../../../contract/channels.ts';
import { api, errorMessage, request } from '../../../api-client.ts';
import { createListStore } from '../../shared/list-store.ts';
import { onReset } from '../../shared/reset.ts';

const campaigns = createListStore<CampaignView>({
  load: async () => (await api.get<{ campaigns: CampaignView[] }>('/api/campaigns')).campaigns,
  key: (campaign) => campaign.id,
  order: (a, b) => a.name.localeCompare(b.name),
});

/** The campaigns I may see (admins: all; supervisors: those of their security groups), by name. */
export const campaignList = campaigns.items;
export const campaignsLoaded = campaigns.loaded;
export const campaignsLoading = campaigns.loading;
export const campaignsError = campaigns.error;
/** (Re)loads the campaign list. */
export const loadCampaigns = campaigns.load;

/** What the campaign form offers in its selects; each list loads on its own, so one refusal leaves the others. */
export type CampaignOptions = {
  /** Null when the list could not be read (supervisors may not list channels): the form offers the campaign's own. */
  channels: Pick<ChannelView, 'id' | 'name' | 'type' | 'enabled'>[] | null;
  schedules: Pick<ScheduleView, 'id' | 'name' | 'timeZone'>[];
  securityGroups: { id: number; name: string }[];
  botFlows: BotFlowSummary[];
};

const NO_OPTIONS: CampaignOptions = { channels: null, schedules: [], securityGroups: [], botFlows: [] };
export const campaignOptions = signal<CampaignOptions>(NO_OPTIONS);
export const optionsError = signal<string | null>(null);

let latestOptions = 0;

/** Loads the choices of the form's selects; channels only for admins (the only ones who may list them). */
export async function loadCampaignOptions(isAdmin: boolean): Promise<void> {
  const ticket = ++latestOptions;
  const [channels, schedules, groups, flows] = await Promise.allSettled([
    isAdmin ? api.get<{ channels: ChannelView[] }>('/api/channels') : Promise.resolve(null),
    api.get<{ schedules: ScheduleView[] }>('/api/schedules'),
    api.get<{ securityGroups: { id: number; name: string }[] }>('/api/security-groups'),
    api.get<{ flows: BotFlowSummary[] }>('/api/bot-flows'),
  ]);
  if (ticket !== latestOptions) return;
  const value = <T>(result: PromiseSettledResult<T>, fallback: T): T => (result.status === 'fulfilled' ? result.value : fallback);
  const channelList = value(channels, null);
  campaignOptions.value = {
    channels: channelList ? channelList.channels.map(({ id, name, type, enabled }) => ({ id, name, type, enabled })) : null,
    schedules: value(schedules, null)?.schedules ?? [],
    securityGroups: value(groups, null)?.securityGroups ?? [],
    botFlows: [...(value(flows, null)?.flows ?? [])].sort((a, b) => a.name.localeCompare(b.name)),
  };
  const failed = [channels, schedules, groups, flows].find((result) => result.status === 'rejected');
  optionsError.value = failed ? `Some choices could not be loaded: ${errorMessage(failed.reason)}` : null;
}

/** Forgets the form's choices (on logout); the list store forgets the list. */
onReset(() => {
  latestOptions++;
  campaignOptions.value = NO_OPTIONS;
  optionsError.value = null;
});

/** Creates a campaign (admins); throws the server's error so the form can show its fields. */
export async function createCampaign(input: CampaignInput): Promise<CampaignView> {
  const created = await api.post<CampaignView>('/api/campaigns', input);
  campaigns.upsert(created);
  return created;
}

/** Changes only what the patch names. */
export async function updateCampaign(id: number, patch: Partial<CampaignInput>): Promise<CampaignView> {
  const updated = await api.patch<CampaignView>(`/api/campaigns/${id}`, patch);
  campaigns.upsert(updated);
  return updated;
}

/** Deletes a campaign (admins); a 409 means conversations refer to it and it should be disabled instead. */
export async function deleteCampaign(id: number): Promise<void> {
  await request<void>('DELETE', `/api/campaigns/${id}`);
  campaigns.remove(id);
}
