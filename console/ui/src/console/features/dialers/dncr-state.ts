import { signal } from '@preact/signals';
import type { DncrEntry } from '../../../../../../contract/dialer.ts';
import { api, errorMessage, request } from '../../../api-client.ts';
import { onReset } from '../../shared/reset.ts';

/** The DNCR ("blacklist") page: numbers that must not be messaged, globally or for one campaign. */
export const dncrEntries = signal<DncrEntry[]>([]);
export const dncrLoaded = signal(false);
export const dncrError = signal<string | null>(null);
/** True when the last page was full: older entries may follow. */
export const dncrHasMore = signal(false);

/** What the list shows: a search on the number, and all lists, the global one, or one campaign's. */
export type DncrFilter = { q: string; scope: 'all' | 'global' | number };
export const dncrFilter = signal<DncrFilter>({ q: '', scope: 'all' });

const PAGE = 100;
let latestLoad = 0;

function query(filter: DncrFilter, beforeId: number | null): string {
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (filter.q.trim() !== '') params.set('q', filter.q.trim());
  if (filter.scope !== 'all') params.set('campaignId', String(filter.scope));
  if (beforeId !== null) params.set('beforeId', String(beforeId));
  return params.toString();
}

/** (Re)loads the newest entries for the filter; `more` appends the next (older) page instead. */
export async function loadDncr(more = false): Promise<void> {
  const ticket = ++latestLoad;
  const filter = dncrFilter.value;
  const last = more ? dncrEntries.value.at(-1) : undefined;
  try {
    const result = await api.get<{ entries: DncrEntry[] }>(`/api/dncr?${query(filter, last?.id ?? null)}`);
    if (ticket !== latestLoad) return;
    dncrEntries.value = more ? [...dncrEntries.value, ...result.entries] : result.entries;
    dncrHasMore.value = result.entries.length === PAGE;
    dncrLoaded.value = true;
    dncrError.value = null;
  } catch (error) {
    if (ticket === latestLoad) dncrError.value = errorMessage(error);
  }
}

/** Lists a number (200 when it already was: the entry comes back either way). */
export async function addDncrNumber(number: string, campaignId: number | null): Promise<DncrEntry> {
  const entry = await api.post<DncrEntry>('/api/dncr', { number, campaignId });
  dncrEntries.value = [entry, ...dncrEntries.value.filter((e) => e.id !== entry.id)];
  return entry;
}

/** Takes a number off its list. */
export async function removeDncrEntry(id: number): Promise<void> {
  await request<void>('DELETE', `/api/dncr/${id}`);
  dncrEntries.value = dncrEntries.value.filter((e) => e.id !== id);
}

/** Forgets everything (on logout). */
function resetDncr(): void {
  latestLoad++;
  dncrEntries.value = [];
  dncrLoaded.value = false;
  dncrError.value = null;
  dncrHasMore.value = false;
  dncrFilter.value = { q: '', scope: 'all' };
}
onReset(resetDncr);
