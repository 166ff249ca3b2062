import { signal } from '@preact/signals';

/**
 * Which page of the console shows, from the URL hash: `#/channels`, `#/channels/new`,
 * `#/channels/<id>` are the admins' Channels page; anything else is the inbox (which reads
 * `#/conversations/<id>` itself, see conversation-url.ts).
 */
export type ConsoleRoute = { page: 'inbox' } | { page: 'channels'; channel: number | 'new' | null };

const channelsHash = /^#\/channels(?:\/(new|\d+))?\/?$/;

export function routeFromHash(hash: string): ConsoleRoute {
  const match = channelsHash.exec(hash);
  if (!match) return { page: 'inbox' };
  const which = match[1];
  return { page: 'channels', channel: which === undefined ? null : which === 'new' ? 'new' : Number(which) };
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
