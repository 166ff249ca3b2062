import { signal } from '@preact/signals';
import type { DialerMonitor, DialerView } from '../../../../../../contract/dialer.ts';
import { api, ApiRequestError, errorMessage } from '../../../api-client.ts';
import { applyDialerView } from './dialers-state.ts';
import { onReset } from '../../shared/reset.ts';

/** The seed's "SMS dialers monitor": every dialer I may see, with its figures, kept live by `dialer.monitor`. */
export const dialerMonitors = signal<DialerMonitor[]>([]);
export const dialerMonitorLoaded = signal(false);
export const dialerMonitorError = signal<string | null>(null);
/** The outcome of the last start, stop or delete, shown under the page's head. */
export const dialerActionError = signal<string | null>(null);
export const dialerActionNote = signal<string | null>(null);

let latestLoad = 0;
/** Pushes that arrive while the snapshot is on its way: applied on top of it, since they may be newer. */
let pushedWhileLoading: DialerMonitor[] | null = null;
/** Called with each applied push (the recent rows table refreshes itself from it). */
let onPush: ((monitor: DialerMonitor) => void) | null = null;

/** (Re)loads every dialer's figures; `dialer.monitor` pushes keep them current. */
export async function loadDialerMonitor(): Promise<void> {
  const ticket = ++latestLoad;
  pushedWhileLoading ??= [];
  try {
    const snapshot = await api.get<{ dialers: DialerMonitor[] }>('/api/dialer-monitor');
    if (ticket !== latestLoad) return;
    dialerMonitors.value = [...snapshot.dialers].sort((a, b) => a.dialer.name.localeCompare(b.dialer.name));
    dialerMonitorLoaded.value = true;
    dialerMonitorError.value = null;
    const pushed = pushedWhileLoading ?? [];
    pushedWhileLoading = null;
    for (const monitor of pushed) applyDialerMonitor(monitor);
  } catch (error) {
    if (ticket !== latestLoad) return;
    pushedWhileLoading = null;
    dialerMonitorError.value = errorMessage(error);
  }
}

/** Catches up after a reconnect or a missed frame, when pushes may have been missed. */
export async function reloadDialerMonitorIfShown(): Promise<void> {
  if (dialerMonitorLoaded.value) await loadDialerMonitor();
}

/** A `dialer.monitor` push replaces that dialer's figures (computed server-side; the later computation wins). */
export function applyDialerMonitor(monitor: DialerMonitor): void {
  if (pushedWhileLoading) pushedWhileLoading.push(monitor);
  if (!dialerMonitorLoaded.value) return;
  const list = dialerMonitors.value;
  const current = list.find((m) => m.dialer.id === monitor.dialer.id);
  if (current && Date.parse(current.at) > Date.parse(monitor.at)) return;
  dialerMonitors.value = current
    ? list.map((m) => (m.dialer.id === monitor.dialer.id ? monitor : m))
    : [...list, monitor].sort((a, b) => a.dialer.name.localeCompare(b.dialer.name));
  onPush?.(monitor);
}

/** Registers the one listener of applied pushes (null to stop). */
export function followDialerPushes(listener: ((monitor: DialerMonitor) => void) | null): void {
  onPush = listener;
}

async function dialerAction<T>(run: () => Promise<T>): Promise<T | null> {
  dialerActionError.value = null;
  dialerActionNote.value = null;
  try {
    return await run();
  } catch (error) {
    // 409 not_enabled: "a dialer starts only when enabled" — the server's words say what to do.
    dialerActionError.value = error instanceof ApiRequestError ? error.message : errorMessage(error);
    return null;
  }
}

/**
 * Starts or stops a dialer. The figures are read again afterwards rather than patched here: the
 * server's snapshot is computed after the change, so an older push can no longer undo it.
 */
export async function setDialerRunning(dialerId: number, running: boolean): Promise<void> {
  const view = await dialerAction(() => api.post<DialerView>(`/api/dialers/${dialerId}/${running ? 'start' : 'stop'}`));
  if (!view) return;
  applyDialerView(view);
  dialerActionNote.value = view.running ? 'Started.' : 'Stopped: the messages in hand finish, nothing more is sent.';
  await loadDialerMonitor();
}

/** The seed's Delete: unprocessed rows (of one campaign, or all) become CANCELLED, kept for the record. */
export async function cancelUnprocessed(dialerId: number, campaignId: number | null): Promise<boolean> {
  const result = await dialerAction(() => api.post<{ cancelled: number }>(`/api/dialers/${dialerId}/cancel`, campaignId === null ? {} : { campaignId }));
  if (!result) return false;
  dialerActionNote.value = `${result.cancelled} unprocessed ${result.cancelled === 1 ? 'message was' : 'messages were'} cancelled.`;
  await loadDialerMonitor();
  return true;
}

/** Forgets the previous outcome (another dialer picked). */
export function clearDialerAction(): void {
  dialerActionError.value = null;
  dialerActionNote.value = null;
}

/** Forgets everything (on logout). */
function resetDialerMonitor(): void {
  latestLoad++;
  pushedWhileLoading = null;
  dialerMonitors.value = [];
  dialerMonitorLoaded.value = false;
  dialerMonitorError.value = null;
  clearDialerAction();
}
onReset(resetDialerMonitor);
