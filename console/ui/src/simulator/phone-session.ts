import { signal } from '@preact/signals';
import type { SimulatorPhone } from '../../../../contract/simulator.ts';
import { api, errorMessage } from '../api-client.ts';

export type SimulatorChannel = { id: number; name: string };

// sessionStorage: a reload keeps the phone, a new tab starts a new customer.
const storageKey = 'omnichat.simulator.phone';

function restorePhone(): SimulatorPhone | null {
  try {
    const raw = sessionStorage.getItem(storageKey);
    if (!raw) return null;
    const phone = JSON.parse(raw) as Partial<SimulatorPhone>;
    const complete = typeof phone.token === 'string' && typeof phone.channelId === 'number' && typeof phone.number === 'string';
    return complete ? (phone as SimulatorPhone) : null;
  } catch {
    return null;
  }
}

/** The phone in use (token binds channel + number), or null while choosing a number. */
export const phone = signal<SimulatorPhone | null>(restorePhone());
export const channels = signal<SimulatorChannel[]>([]);
export const channelId = signal<number | null>(phone.value?.channelId ?? null);
/** The number typed on the setup screen; "Change number" puts the previous one back to edit. */
export const numberDraft = signal('');
export const channelsError = signal<string | null>(null);
/** Validation or network error when starting the phone. */
export const startError = signal<string | null>(null);
export const starting = signal(false);

/** Loads the channels the simulator can talk to and picks the first one. */
export async function loadChannels(): Promise<void> {
  try {
    const list = await api.get<SimulatorChannel[]>('/simulator/api/channels');
    channels.value = list;
    if (!list.some((c) => c.id === channelId.value)) channelId.value = list[0]?.id ?? null;
    channelsError.value = list.length === 0 ? 'No channel is set up for the simulator.' : null;
  } catch (error) {
    channelsError.value = errorMessage(error);
  }
}

/** Registers the number with the server and keeps the phone for this tab. */
export async function startPhone(number: string): Promise<void> {
  if (starting.value) return;
  starting.value = true;
  startError.value = null;
  try {
    const body = channelId.value === null ? { number } : { channelId: channelId.value, number };
    const started = await api.post<SimulatorPhone>('/simulator/api/phones', body);
    sessionStorage.setItem(storageKey, JSON.stringify(started));
    phone.value = started;
  } catch (error) {
    startError.value = errorMessage(error);
  } finally {
    starting.value = false;
  }
}

/** "Change number": back to the setup form, prefilled with this phone's channel and number. */
export function forgetPhone(): void {
  const previous = phone.value;
  if (previous) {
    channelId.value = previous.channelId;
    numberDraft.value = previous.number;
  }
  sessionStorage.removeItem(storageKey);
  phone.value = null;
}
