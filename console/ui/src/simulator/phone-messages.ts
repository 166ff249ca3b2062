import { effect, signal, untracked } from '@preact/signals';
import type { SimulatorMessage, SimulatorPhone } from '../../../../contract/simulator.ts';
import { errorMessage, request } from '../api-client.ts';
import { phone as currentPhone } from './phone-session.ts';

/** A bubble on the phone: `out` typed by the customer, `in` received from the platform. */
export type PhoneBubble = {
  id: string;
  direction: 'in' | 'out';
  text: string;
  at: string;
  state: 'sending' | 'sent' | 'failed' | 'received';
  error?: string;
};

export const bubbles = signal<PhoneBubble[]>([]);
let storageKey: string | null = null;

/** The platform is "typing…" a reply: shown under the chat until the next message, or 10 s at most. */
export const typing = signal(false);
const TYPING_SHOWN_MS = 10_000;
let typingTimer: ReturnType<typeof setTimeout> | undefined;

/** The platform says it is typing (the simulator channel's `typing` event). */
export function showTyping(): void {
  clearTimeout(typingTimer);
  typing.value = true;
  typingTimer = setTimeout(() => (typing.value = false), TYPING_SHOWN_MS);
}

function hideTyping(): void {
  clearTimeout(typingTimer);
  typing.value = false;
}

// The transcript survives a reload of this tab, like the phone itself.
effect(() => {
  const list = bubbles.value;
  if (storageKey) sessionStorage.setItem(storageKey, JSON.stringify(list));
});

/** Shows the transcript kept for this phone (empty for a new one). */
function showTranscriptOf(phone: SimulatorPhone | null): void {
  hideTyping();
  storageKey = phone ? `omnichat.simulator.messages.${phone.token}` : null;
  let restored: PhoneBubble[] = [];
  try {
    restored = storageKey ? (JSON.parse(sessionStorage.getItem(storageKey) ?? '[]') as PhoneBubble[]) : [];
  } catch {
    restored = [];
  }
  // A send still pending when the page went away has an unknown outcome: show it as failed.
  bubbles.value = restored.map((b) => (b.state === 'sending' ? { ...b, state: 'failed', error: 'Interrupted' } : b));
}

// Switch transcripts synchronously with the phone, before its socket can deliver anything.
effect(() => {
  const phone = currentPhone.value;
  untracked(() => showTranscriptOf(phone));
});

/** crypto.randomUUID only exists in secure contexts (https, localhost); fall back elsewhere. */
function newMessageId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function webhook(phone: SimulatorPhone, body: unknown): Promise<unknown> {
  return request('POST', `/webhooks/${phone.channelId}`, {
    body,
    headers: { 'x-simulator-token': phone.token },
  });
}

function patchBubble(id: string, patch: Partial<PhoneBubble>): void {
  bubbles.value = bubbles.value.map((b) => (b.id === id ? { ...b, ...patch } : b));
}

/** The customer types: show the bubble at once, then post it to the channel's webhook. */
export async function sendText(phone: SimulatorPhone, text: string): Promise<void> {
  const id = newMessageId();
  bubbles.value = [...bubbles.value, { id, direction: 'out', text, at: new Date().toISOString(), state: 'sending' }];
  try {
    await webhook(phone, { type: 'message', id, text });
    patchBubble(id, { state: 'sent' });
  } catch (error) {
    patchBubble(id, { state: 'failed', error: errorMessage(error) });
  }
}

/** A message from the platform reaches the phone: show it and report it delivered. */
export function receiveMessage(phone: SimulatorPhone, message: SimulatorMessage): void {
  hideTyping();
  // A reconnecting socket may deliver the same message twice.
  if (bubbles.value.some((b) => b.id === message.id && b.direction === 'in')) return;
  const bubble: PhoneBubble = { id: message.id, direction: 'in', text: message.text, at: message.at, state: 'received' };
  bubbles.value = [...bubbles.value, bubble];
  // Fire and forget: the receipt is best effort, like a real handset's.
  webhook(phone, { type: 'status', providerMessageId: message.id, status: 'delivered' }).catch(() => undefined);
}
