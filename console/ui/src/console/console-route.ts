import { signal } from '@preact/signals';

/**
 * Which page of the console shows, from the URL hash: `#/channels`, `#/channels/new`,
 * `#/channels/<id>` are the admins' Channels page; `#/bot-flows`, `#/bot-flows/new`,
 * `#/bot-flows/<id>` the Bot flows page (supervisors and admins); `#/campaigns[/new|/<id>]` and
 * `#/members` the Campaigns and Members pages (supervisors and admins), `#/monitor` the live Monitor
 * (supervisors and admins); anything else is the inbox (which
 * reads `#/conversations/<id>` itself, see conversation-url.ts).
 */
export type ConsoleRoute =
  | { page: 'inbox' }
  | { page: 'channels'; channel: number | 'new' | null }
  | { page: 'bot-flows'; flow: number | 'new' | null }
  | { page: 'campaigns'; campaign: number | 'new' | null }
  | { page: 'members' }
  | { page: 'monitor' };

const pageHash = /^#\/(channels|bot-flows)(?:\/(new|\d+))?\/?$/;

const campaignsHash = /^#\/campaigns(?:\/(new|\d+))?\/?$/;
const membersHash = /^#\/members\/?$/;
const monitorHash = /^#\/monitor\/?$/;

export function routeFromHash(hash: string): ConsoleRoute {
  const campaign = campaignsHash.exec(hash);
  if (campaign) return { page: 'campaigns', campaign: campaign[1] === undefined ? null : campaign[1] === 'new' ? 'new' : Number(campaign[1]) };
  if (membersHash.test(hash)) return { page: 'members' };
  if (monitorHash.test(hash)) return { page: 'monitor' };
  const match = pageHash.exec(hash);
  if (!match) return { page: 'inbox' };
  const which = match[2];
  const item = which === undefined ? null : which === 'new' ? 'new' : Number(which);
  return match[1] === 'channels' ? { page: 'channels', channel: item } : { page: 'bot-flows', flow: item };
}

export const route = signal<ConsoleRoute>(routeFromHash(location.hash));

/** Reads the URL again (on load and on every hashchange). */
export function followRoute(): void {
  route.value = routeFromHash(location.hash);
}

/** The hash of a Channels page view: the list, a new channel, or one channel. */
export function channelsLink(channel: number | 'new' | null = null): string {
  return channel === null ? '#/channels' : `#/channels/${channel}`;
}

/** Goes to a Channels view, with a history entry so Back returns. */
export function showChannels(channel: number | 'new' | null = null): void {
  const hash = channelsLink(channel);
  if (location.hash !== hash) location.hash = hash; // fires hashchange, which follows the route
}

/** The hash of a Bot flows page view: the list, a new flow, or one flow version. */
export function botFlowsLink(flow: number | 'new' | null = null): string {
  return flow === null ? '#/bot-flows' : `#/bot-flows/${flow}`;
}

/** Goes to a Bot flows view, with a history entry so Back returns. */
export function showBotFlows(flow: number | 'new' | null = null): void {
  const hash = botFlowsLink(flow);
  if (location.hash !== hash) location.hash = hash;
}

/** The hash of a Campaigns page view: the list, a new campaign, or one campaign. */
export function campaignsLink(campaign: number | 'new' | null = null): string {
  return campaign === null ? '#/campaigns' : `#/campaigns/${campaign}`;
}

/** Goes to a Campaigns view, with a history entry so Back returns. */
export function showCampaigns(campaign: number | 'new' | null = null): void {
  const hash = campaignsLink(campaign);
  if (location.hash !== hash) location.hash = hash;
}

/** The page that shows for a role: a page the role does not have shows the inbox instead. */
export function shownPage(current: ConsoleRoute, role: 'agent' | 'supervisor' | 'admin'): ConsoleRoute['page'] {
  if (current.page === 'channels') return role === 'admin' ? 'channels' : 'inbox';
  if (current.page === 'bot-flows') return role === 'agent' ? 'inbox' : 'bot-flows';
  if (current.page === 'campaigns' || current.page === 'members') return role === 'agent' ? 'inbox' : current.page;
  if (current.page === 'monitor') return role === 'agent' ? 'inbox' : 'monitor';
  return 'inbox';
}
