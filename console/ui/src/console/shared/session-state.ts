import { signal } from '@preact/signals';
import type { Me, Presence, PresenceState } from '../../../../../contract/common.ts';
import { api, errorMessage, isUnauthorized } from '../../api-client.ts';

/** The signed-in agent, or null when the login form should show. */
export const me = signal<Me | null>(null);
/** False until GET /api/me has answered once (avoids flashing the login form). */
export const sessionChecked = signal(false);
/** Why the session could not be checked (server down…), shown on the login form. */
export const sessionError = signal<string | null>(null);
/** Last failure to change presence, shown in the top bar. */
export const presenceError = signal<string | null>(null);

/** Asks the server who we are; a 401 simply means "show the login form". */
export async function loadMe(): Promise<void> {
  try {
    me.value = await api.get<Me>('/api/me');
    sessionError.value = null;
  } catch (error) {
    me.value = null;
    sessionError.value = isUnauthorized(error) ? null : errorMessage(error);
  } finally {
    sessionChecked.value = true;
  }
}

/** Reads my presence again (live events may have been missed); a failure leaves what shows. */
export async function refreshPresence(): Promise<void> {
  try {
    const current = await api.get<Me>('/api/me');
    if (me.value?.id === current.id) applyPresence(current.presence);
  } catch {
    // Not reachable now: the next resync or reconnect reads it again.
  }
}

/** Signs in; throws the server's error so the form can show its message. */
export async function login(username: string, password: string): Promise<void> {
  me.value = await api.post<Me>('/api/auth/login', { username, password });
  sessionError.value = null;
}

/** Signs out; the local session is dropped even if the server call fails. */
export async function logout(): Promise<void> {
  try {
    await api.post<void>('/api/auth/logout');
  } finally {
    me.value = null;
  }
}

/** The value of the presence `<select>`: `available`, `offline` or `break:<name>`. */
export function presenceOption(presence: Presence): string {
  return presence.state === 'break' ? `break:${presence.breakName ?? ''}` : presence.state;
}

/** Applies a presence pushed by the server (e.g. changed by a supervisor). */
export function applyPresence(presence: Presence): void {
  if (me.value) me.value = { ...me.value, presence };
}

/** Changes my presence from a `<select>` value. */
export async function changePresence(option: string): Promise<void> {
  const isBreak = option.startsWith('break:');
  const state: PresenceState = isBreak ? 'break' : (option as PresenceState);
  const body = isBreak ? { state, breakName: option.slice('break:'.length) } : { state };
  presenceError.value = null;
  try {
    applyPresence(await api.put<Presence>('/api/presence', body));
  } catch (error) {
    if (isUnauthorized(error)) me.value = null;
    else presenceError.value = errorMessage(error);
  }
}

/** Whether I may look at everybody's conversations. */
export function canSeeAll(): boolean {
  const role = me.value?.role;
  return role === 'supervisor' || role === 'admin';
}
