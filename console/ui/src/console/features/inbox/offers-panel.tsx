import { acceptOffer, dismissToast, offers, openToast, toasts, type ShownOffer } from './offers-state.ts';
import { formatDuration, secondsSince, useNow } from '../../shared/elapsed.ts';

function OfferCard({ offer, now }: { offer: ShownOffer; now: number }) {
  const name = offer.customer.name;
  return (
    <li class={offer.gone ? 'offer gone' : 'offer'} data-testid="offer" data-conversation-id={offer.conversationId}>
      <div class="offer-main">
        <div class="offer-top">
          <span class="customer">{offer.customer.address}</span>
          {name && <span class="muted small">{name}</span>}
          <span class="offer-wait" data-testid="offer-wait" title="Waiting since it entered the queue">
            {formatDuration(secondsSince(offer.queuedAt, now))}
          </span>
        </div>
        <div class="campaign">
          {offer.campaign.name} · {offer.channel.name}
        </div>
        {offer.lastMessage && <div class="snippet">{offer.lastMessage}</div>}
        {offer.error && (
          <div class="offer-error" role="alert" data-testid="offer-error">
            {offer.error}
          </div>
        )}
      </div>
      {offer.gone ? (
        <span class="offer-gone" role="status" data-testid="offer-gone">
          {offer.gone}
        </span>
      ) : (
        <button type="button" class="primary" data-testid="accept-offer" disabled={offer.accepting} onClick={() => void acceptOffer(offer.conversationId)}>
          {offer.accepting ? 'Accepting…' : 'Accept'}
        </button>
      )}
    </li>
  );
}

/** Top of the inbox: conversations offered to every available member of an offer-to-all campaign; the first to accept gets it. */
export function OffersPanel() {
  const now = useNow();
  const list = offers.value;
  if (list.length === 0) return null;
  return (
    <section class="offers" aria-label="Offered conversations" data-testid="offers">
      <h2 class="offers-title">
        Offered to you <span class="count-badge">{list.length}</span>
      </h2>
      <ul class="offer-list">
        {list.map((offer) => (
          <OfferCard key={offer.conversationId} offer={offer} now={now} />
        ))}
      </ul>
    </section>
  );
}

/** Short notices in the corner (a chat over its campaign's chat time); a click opens the conversation. */
export function Toasts() {
  const list = toasts.value;
  if (list.length === 0) return null;
  return (
    <div class="toasts" aria-live="polite">
      {list.map((toast) => (
        <div key={toast.id} class="toast" role="status" data-testid="toast" data-conversation-id={toast.conversationId}>
          <button type="button" class="toast-body" onClick={() => openToast(toast)}>
            <span class="badge badge-overtime">Over chat time</span> {toast.text}
          </button>
          <button type="button" class="ghost toast-close" aria-label="Dismiss" onClick={() => dismissToast(toast.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
