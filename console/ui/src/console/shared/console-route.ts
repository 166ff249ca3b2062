import { signal } from '@preact/signals';

/**
 * Which page of the console shows, from the URL hash: `#/channels`, `#/channels/new`,
 * `#/channels/<id>` are the admins' Channels page; `#/bot-flows`, `#/bot-flows/new`,
 * `#/bot-flows/<id>` the Bot flows page (supervisors and admins); `#/campaigns[/new|/<id>]` and
 * `#/members` the Campaigns and Members pages (supervisors and admins), `#/monitor` the live Monitor
 * (supervisors and admins); `#/dialers[/new|/<id>]`, `#/dialer-monitor[/<id>]` and `#/dncr` the dialers' pages
 * (supervisors and admins), `#/api-keys` the web service's keys (admins); anything else is the inbox (which
 * reads `#/conversations/<id>` itself, see conversation-url.ts).
 */
export type ConsoleRoute =
  | { page: 'inbox' }
  | { page: 'channels'; channel: number | 'new' | null }
  | { page: 'bot-flows'; flow: number | 'new' | null }
  | { page: 'campaigns'; campaign: number | 'new' | null }
  | { page: 'members' }
  | { page: 'monitor' }
  | { page: 'dialers'; dialer: number | 'new' | null }
  | { page: 'dialer-monitor'; dialer: number | null }
  | { page: 'dncr' }
  | { page: 'api-keys' };

const pageHash = /^#\/(channels|bot-flows)(?:\/(new|\d+))?\/?$/;

const campaignsHash = /^#\/campaigns(?:\/(new|\d+))?\/?$/;
const membersHash = /^#\/members\/?$/;
const monitorHash = /^#\/monitor\/?$/;
const dialersHash = /^#\/dialers(?:\/(new|\d+))?\/?$/;
const dialerMonitorHash = /^#\/dialer-monitor(?:\/(\d+))?\/?$/;
const dncrHash = /^#\/dncr\/?$/;
const apiKeysHash = /^#\/api-keys\/?$/;

/** The dialers' pages, or null for any other hash. */
function dialerRouteFromHash(hash: string): ConsoleRoute | null {
  const dialer = dialersHash.exec(hash);
  if (dialer) return { page: 'dialers', dialer: dialer[1] === undefined ? null : dialer[1] === 'new' ? 'new' : Number(dialer[1]) };
  const monitored = dialerMonitorHash.exec(hash);
  if (monitored) return { page: 'dialer-monitor', dialer: monitored[1] === undefined ? null : Number(monitored[1]) };
  if (dncrHash.test(hash)) return { page: 'dncr' };
  if (apiKeysHash.test(hash)) return { page: 'api-keys' };
  return null;
}

export function routeFromHash(hash: string): ConsoleRoute {
  const campaign = campaignsHash.exec(hash);
  if (campaign) return { page: 'campaigns', campaign: campaign[1] === undefined ? null : campaign[1] === 'new' ? 'new' : Number(campaign[1]) };
  if (membersHash.test(hash)) return { page: 'members' };
  if (monitorHash.test(hash)) return { page: 'monitor' };
  const dialerRoute = dialerRouteFromHash(hash);
  if (dialerRoute) return dialerRoute;
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

/** The hash of a Dialers page view: the list, a new dialer, or one dialer. */
export function dialersLink(dialer: number | 'new' | null = null): string {
  return dialer === null ? '#/dialers' : `#/dialers/${dialer}`;
}

/** Goes to a Dialers view, with a history entry so Back returns. */
export function showDialers(dialer: number | 'new' | null = null): void {
  const hash = dialersLink(dialer);
  if (location.hash !== hash) location.hash = hash;
}

/** The hash of the dialer monitor: every dialer, or one. */
export function dialerMonitorLink(dialer: number | null = null): string {
  return dialer === null ? '#/dialer-monitor' : `#/dialer-monitor/${dialer}`;
}

/** Goes to the dialer monitor of one dialer (or the overview), with a history entry. */
export function showDialerMonitor(dialer: number | null = null): void {
  const hash = dialerMonitorLink(dialer);
  if (location.hash !== hash) location.hash = hash;
}

/** The bulk broadcast pages, which share one link in the top bar and a row of tabs. */
export function isDialerPage(page: ConsoleRoute['page']): boolean {
  return page === 'dialers' || page === 'dialer-monitor' || page === 'dncr' || page === 'api-keys';
}

/** The page that shows for a role: a page the role does not have shows the inbox instead. */
export function shownPage(current: ConsoleRoute, role: 'agent' | 'supervisor' | 'admin'): ConsoleRoute['page'] {
  if (current.page === 'channels') return role === 'admin' ? 'channels' : 'inbox';
  if (current.page === 'bot-flows') return role === 'agent' ? 'inbox' : 'bot-flows';
  if (current.page === 'campaigns' || current.page === 'members') return role === 'agent' ? 'inbox' : current.page;
  if (current.page === 'monitor') return role === 'agent' ? 'inbox' : 'monitor';
  if (current.page === 'dialers' || current.page === 'dialer-monitor' || current.page === 'dncr') return role === 'agent' ? 'inbox' : current.page;
  if (current.page === 'api-keys') return role === 'admin' ? 'api-keys' : 'inbox';
  return 'inbox';
}
