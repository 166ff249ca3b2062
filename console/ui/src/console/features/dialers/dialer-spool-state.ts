import { signal } from '@preact/signals';
import type { SpoolRowView, SpoolStateName } from '../../../../../../contract/dialer.ts';
import { api, errorMessage } from '../../../api-client.ts';

/** Each spool state as the monitor names it (0, 1 and 3 are the old system's). */
export const SPOOL_STATE_LABELS: Record<SpoolStateName, string> = {
  none: 'None',
  to_process: 'To process',
  sent: 'Sent',
  blocked: 'Blocked (DNCR)',
  other: 'Other (bad number)',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** The latest rows of the dialer the monitor shows, newest first; `state` filters them. */
export const spoolRows = signal<SpoolRowView[]>([]);
export const spoolRowsFor = signal<{ dialerId: number; state: SpoolStateName | null } | null>(null);
export const spoolRowsError = signal<string | null>(null);
export const spoolRowsLoading = signal(false);

const PAGE = 50;
let latestLoad = 0;

/** (Re)loads the newest rows of a dialer (in one state, or all). */
export async function loadSpoolRows(dialerId: number, state: SpoolStateName | null): Promise<void> {
  const ticket = ++latestLoad;
  spoolRowsFor.value = { dialerId, state };
  spoolRowsLoading.value = true;
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (state) query.set('state', state);
  try {
    const result = await api.get<{ rows: SpoolRowView[] }>(`/api/dialers/${dialerId}/spool?${query}`);
    if (ticket !== latestLoad) return;
    spoolRows.value = result.rows;
    spoolRowsError.value = null;
  } catch (error) {
    if (ticket === latestLoad) spoolRowsError.value = errorMessage(error);
  } finally {
    if (ticket === latestLoad) spoolRowsLoading.value = false;
  }
}

let lastRefresh = 0;
let pendingRefresh: ReturnType<typeof setTimeout> | null = null;
const REFRESH_EVERY_MS = 3000;

/**
 * A push said the dialer's figures moved: reload its rows, at most every few seconds (a running
 * dialer pushes about every second; the table need not follow each one).
 */
export function refreshSpoolRowsSoon(dialerId: number): void {
  const shown = spoolRowsFor.value;
  if (!shown || shown.dialerId !== dialerId || pendingRefresh) return;
  const wait = Math.max(0, lastRefresh + REFRESH_EVERY_MS - Date.now());
  pendingRefresh = setTimeout(() => {
    pendingRefresh = null;
    lastRefresh = Date.now();
    const current = spoolRowsFor.value;
    if (current?.dialerId === dialerId) void loadSpoolRows(dialerId, current.state);
  }, wait);
}

/** Forgets the rows (another dialer, leaving the page, logout). */
export function resetSpoolRows(): void {
  latestLoad++;
  if (pendingRefresh) clearTimeout(pendingRefresh);
  pendingRefresh = null;
  spoolRows.value = [];
  spoolRowsFor.value = null;
  spoolRowsError.value = null;
  spoolRowsLoading.value = false;
}

/** The seed's "Single message sending": one message through the dialer, ahead of the broadcasts. */
export function sendSingleMessage(dialerId: number, input: { destination: string; message: string; campaignId: number }): Promise<SpoolRowView> {
  return api.post<SpoolRowView>(`/api/dialers/${dialerId}/messages`, input);
}
