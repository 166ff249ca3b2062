import { signal } from '@preact/signals';
import type { ConversationSummary } from '../../../../../../contract/conversations.ts';
import type { Offer } from '../../../../../../contract/routing.ts';
import { ApiRequestError, api, errorMessage } from '../../../api-client.ts';
import { followRoute } from '../../shared/console-route.ts';
import { openConversation } from './conversation-state.ts';
import { conversations, upsertConversation } from './inbox-state.ts';
import { heldConversations } from '../monitor/monitor-state.ts';
import { onReset } from '../../shared/reset.ts';

/** An offer as the panel shows it: `gone` says another agent took it, shown briefly before it leaves. */
export type ShownOffer = Offer & { accepting: boolean; gone: string | null; error: string | null };

/** Conversations offered to me (offer-to-all campaigns), oldest first: the first member to accept gets it. */
export const offers = signal<ShownOffer[]>([]);

/** A short notice in the corner: a chat past its campaign's chat time. */
export type Toast = { id: number; conversationId: number; text: string };
export const toasts = signal<Toast[]>([]);

/** How long "Another agent took it" and a toast stay on screen. */
const GONE_MS = 2500;
const TOAST_MS = 8000;

function update(conversationId: number, change: Partial<ShownOffer>): void {
  offers.value = offers.value.map((offer) => (offer.conversationId === conversationId ? { ...offer, ...change } : offer));
}

function drop(conversationId: number): void {
  offers.value = offers.value.filter((offer) => offer.conversationId !== conversationId);
}

let latestLoad = 0;

/** (Re)loads my offers (on sign-in and after a reconnect). */
export async function loadOffers(): Promise<void> {
  const ticket = ++latestLoad;
  try {
    const result = await api.get<{ offers: Offer[] }>('/api/offers');
    if (ticket !== latestLoad) return;
    const shown = new Map(offers.value.map((offer) => [offer.conversationId, offer]));
    offers.value = result.offers.map((offer) => ({ accepting: false, gone: null, error: null, ...shown.get(offer.conversationId), ...offer }));
  } catch {
    // The panel keeps what it shows; the next reconnect or event brings it up to date.
  }
}

/** An `offer.created` push (a repeat of a known offer changes nothing). */
export function applyOfferCreated(offer: Offer): void {
  if (offers.value.some((shown) => shown.conversationId === offer.conversationId)) return;
  offers.value = [...offers.value, { ...offer, accepting: false, gone: null, error: null }].sort(
    (a, b) => Date.parse(a.offeredAt) - Date.parse(b.offeredAt) || a.conversationId - b.conversationId,
  );
}

/** An `offer.withdrawn` push: someone else took it, or it left the queue. */
export function applyOfferWithdrawn({ conversationId }: { conversationId: number }): void {
  const offer = offers.value.find((shown) => shown.conversationId === conversationId);
  // While my own accept is on its way its answer decides what shows.
  if (offer && !offer.accepting) drop(conversationId);
}

/** Accepts an offer: the conversation opens; if someone was faster, say so briefly and drop it. */
export async function acceptOffer(conversationId: number): Promise<void> {
  const offer = offers.value.find((shown) => shown.conversationId === conversationId);
  if (!offer || offer.accepting || offer.gone) return;
  update(conversationId, { accepting: true, error: null });
  try {
    const summary = await api.post<ConversationSummary>(`/api/offers/${conversationId}/accept`);
    drop(conversationId);
    upsertConversation(summary);
    void openConversation(conversationId);
    followRoute();
  } catch (error) {
    if (error instanceof ApiRequestError && error.code === 'offer_gone') {
      update(conversationId, { accepting: false, gone: 'Another agent took it' });
      setTimeout(() => drop(conversationId), GONE_MS);
    } else {
      // Not available, or at my limit: the offer stays, with the server's reason.
      update(conversationId, { accepting: false, error: errorMessage(error) });
    }
  }
}

let nextToast = 0;

function dismissAfter(id: number): void {
  setTimeout(() => dismissToast(id), TOAST_MS);
}

export function dismissToast(id: number): void {
  toasts.value = toasts.value.filter((toast) => toast.id !== id);
}

/** A `conversation.flagged` push: a short toast naming the customer when the console knows them. */
export function applyFlag(event: { conversationId: number; flag: string }): void {
  if (event.flag !== 'chat_time') return;
  const known = [...conversations.value, ...heldConversations.value].find((c) => c.id === event.conversationId);
  const who = known ? `${known.customer.address}${known.campaign ? ` (${known.campaign.name})` : ''}` : `Conversation ${event.conversationId}`;
  const id = ++nextToast;
  toasts.value = [...toasts.value, { id, conversationId: event.conversationId, text: who }];
  dismissAfter(id);
}

/** Opens the flagged conversation in the inbox. */
export function openToast(toast: Toast): void {
  dismissToast(toast.id);
  void openConversation(toast.conversationId);
  followRoute();
}

/** Forgets everything (on logout). */
function resetOffers(): void {
  latestLoad++;
  offers.value = [];
  toasts.value = [];
}
onReset(resetOffers);
