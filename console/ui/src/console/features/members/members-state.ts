import { computed, signal } from '@preact/signals';
import type { AgentView, CampaignMember } from '../../../../../../contract/campaigns.ts';
import { api, errorMessage } from '../../../api-client.ts';
import { campaignList, loadCampaigns } from '../campaigns/campaigns-state.ts';
import { onReset } from '../../shared/reset.ts';

/** The agents and supervisors who can be members (those a supervisor's security groups let them see). */
export const agentList = signal<AgentView[]>([]);
export const agentsLoaded = signal(false);
/** The campaigns and agents ticked in the first two columns, in the order they were ticked. */
export const pickedCampaigns = signal<number[]>([]);
export const pickedAgents = signal<number[]>([]);
/** Each picked campaign's members, in member order. */
export const membersOf = signal<ReadonlyMap<number, CampaignMember[]>>(new Map());
export const membersLoading = signal(false);
/** The member order being edited while exactly one campaign is picked (user ids); null until a member moves. */
export const orderDraft = signal<number[] | null>(null);
export const membersBusy = signal(false);
export const membersError = signal<string | null>(null);
/** What the last change did ("Added 4 memberships."), shown beside the buttons. */
export const membersNotice = signal<string | null>(null);

/** The one campaign whose order can be edited, or null when none or several are picked. */
export const orderedCampaign = computed(() => (pickedCampaigns.value.length === 1 ? pickedCampaigns.value[0]! : null));

let latestAgents = 0;
let latestMembers = 0;

async function loadAgents(): Promise<void> {
  const ticket = ++latestAgents;
  try {
    const result = await api.get<{ agents: AgentView[] }>('/api/agents');
    if (ticket !== latestAgents) return;
    agentList.value = result.agents;
    agentsLoaded.value = true;
    pickedAgents.value = pickedAgents.value.filter((id) => result.agents.some((agent) => agent.id === id));
  } catch (error) {
    if (ticket === latestAgents) membersError.value = errorMessage(error);
  }
}

/** Reads the members of every picked campaign; a newer pick wins over a slow answer. */
async function loadPickedMembers(): Promise<void> {
  const ticket = ++latestMembers;
  const ids = pickedCampaigns.value;
  membersLoading.value = true;
  try {
    const lists = await Promise.all(ids.map((id) => api.get<{ members: CampaignMember[] }>(`/api/campaigns/${id}/members`)));
    if (ticket !== latestMembers) return;
    membersOf.value = new Map(ids.map((id, index) => [id, lists[index]!.members]));
  } catch (error) {
    if (ticket === latestMembers) membersError.value = errorMessage(error);
  } finally {
    if (ticket === latestMembers) membersLoading.value = false;
  }
}

/** Loads (or reloads) the three columns. */
export async function loadMembersPage(): Promise<void> {
  membersError.value = null;
  await Promise.all([loadCampaigns(), loadAgents()]);
  pickedCampaigns.value = pickedCampaigns.value.filter((id) => campaignList.value.some((campaign) => campaign.id === id));
  await loadPickedMembers();
}

const toggled = (list: number[], id: number) => (list.includes(id) ? list.filter((other) => other !== id) : [...list, id]);

export function toggleCampaign(id: number): void {
  pickedCampaigns.value = toggled(pickedCampaigns.value, id);
  orderDraft.value = null;
  membersNotice.value = null;
  void loadPickedMembers();
}

export function toggleAgent(id: number): void {
  pickedAgents.value = toggled(pickedAgents.value, id);
  membersNotice.value = null;
}

/** Ticks every listed agent, or none when all are ticked. */
export function toggleAllAgents(ids: number[]): void {
  const all = ids.every((id) => pickedAgents.value.includes(id));
  pickedAgents.value = all ? pickedAgents.value.filter((id) => !ids.includes(id)) : [...new Set([...pickedAgents.value, ...ids])];
}

/** The seed's Add and Remove: every picked agent to (or from) every picked campaign at once. */
export async function changeMembership(action: 'add' | 'remove'): Promise<void> {
  if (membersBusy.value) return;
  membersBusy.value = true;
  membersError.value = null;
  membersNotice.value = null;
  try {
    const { changed } = await api.post<{ changed: number }>('/api/campaign-members', {
      campaignIds: pickedCampaigns.value,
      userIds: pickedAgents.value,
      action,
    });
    const what = changed === 1 ? 'membership' : 'memberships';
    membersNotice.value =
      changed === 0
        ? action === 'add'
          ? 'They were members already.'
          : 'They were not members.'
        : `${action === 'add' ? 'Added' : 'Removed'} ${changed} ${what}.`;
    orderDraft.value = null;
    await loadMembersPage();
  } catch (error) {
    membersError.value = errorMessage(error);
  } finally {
    membersBusy.value = false;
  }
}

/** The order shown for the one picked campaign: the draft if a member moved, else the saved one. */
export function shownOrder(campaignId: number): CampaignMember[] {
  const members = membersOf.value.get(campaignId) ?? [];
  const draft = orderDraft.value;
  if (!draft) return members;
  // Members who joined since the draft was made (another supervisor) go last rather than vanish.
  const moved = draft.flatMap((userId) => members.filter((member) => member.userId === userId));
  return [...moved, ...members.filter((member) => !draft.includes(member.userId))];
}

/** Moves a member up (-1) or down (+1) in the draft order. */
export function moveMember(campaignId: number, userId: number, delta: -1 | 1): void {
  const order = shownOrder(campaignId).map((member) => member.userId);
  const from = order.indexOf(userId);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= order.length) return;
  [order[from], order[to]] = [order[to]!, order[from]!];
  orderDraft.value = order;
  membersNotice.value = null;
}

/** Saves the draft order: the members, in this order (positions 1..n). */
export async function saveOrder(campaignId: number): Promise<void> {
  if (!orderDraft.value || membersBusy.value) return;
  const userIds = shownOrder(campaignId).map((member) => member.userId);
  membersBusy.value = true;
  membersError.value = null;
  try {
    const { members } = await api.put<{ members: CampaignMember[] }>(`/api/campaigns/${campaignId}/members`, { userIds });
    membersOf.value = new Map([...membersOf.value, [campaignId, members]]);
    orderDraft.value = null;
    membersNotice.value = 'Order saved.';
  } catch (error) {
    membersError.value = errorMessage(error);
  } finally {
    membersBusy.value = false;
  }
}

/** Forgets everything (on logout). */
function resetMembers(): void {
  latestAgents++;
  latestMembers++;
  agentList.value = [];
  agentsLoaded.value = false;
  pickedCampaigns.value = [];
  pickedAgents.value = [];
  membersOf.value = new Map();
  membersLoading.value = false;
  orderDraft.value = null;
  membersBusy.value = false;
  membersError.value = null;
  membersNotice.value = null;
}
onReset(resetMembers);
