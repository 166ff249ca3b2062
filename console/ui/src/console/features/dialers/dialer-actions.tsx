import { useSignal } from '@preact/signals';
import type { DialerMonitor } from '../../../../../../contract/dialer.ts';
import { cancelUnprocessed, setDialerRunning } from './dialer-monitor-state.ts';

/** The confirmation of the seed's Delete: which campaign's unprocessed rows (or all) become CANCELLED. */
function CancelDialog({ monitor, onClose }: { monitor: DialerMonitor; onClose: () => void }) {
  const campaignId = useSignal<number | null>(null);
  const busy = useSignal(false);
  const waiting =
    campaignId.value === null ? monitor.totals.notProcessed : (monitor.campaigns.find((c) => c.campaign.id === campaignId.value)?.notProcessed ?? 0);
  async function confirm(event: Event) {
    event.preventDefault();
    busy.value = true;
    await cancelUnprocessed(monitor.dialer.id, campaignId.value);
    busy.value = false;
    onClose();
  }
  return (
    // Only the dimmed page: a click on it (outside the dialog) closes the dialog, as its Cancel button does.
    <div class="modal-backdrop" role="none" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="modal" role="dialog" aria-modal="true" aria-labelledby="cancel-title" data-testid="cancel-dialog">
        <form onSubmit={confirm}>
          <h2 id="cancel-title">Delete unprocessed messages?</h2>
          <p class="small">
            The unprocessed rows become CANCELLED: they are never sent, and stay on record. Messages already sent, blocked or failed are not touched.
          </p>
          <label class="field">
            Campaign
            <select
              data-testid="cancel-campaign"
              value={campaignId.value ?? ''}
              onChange={(e) => (campaignId.value = e.currentTarget.value === '' ? null : Number(e.currentTarget.value))}
            >
              <option value="">Every campaign of {monitor.dialer.name}</option>
              {monitor.campaigns.map((c) => (
                <option key={c.campaign.id} value={c.campaign.id}>
                  {c.campaign.name}
                </option>
              ))}
            </select>
          </label>
          <p class="small" data-testid="cancel-count">
            {waiting.toLocaleString()} {waiting === 1 ? 'message is' : 'messages are'} waiting now.
          </p>
          <div class="modal-actions">
            <button type="button" onClick={onClose}>
              Keep them
            </button>
            <button type="submit" class="danger" data-testid="cancel-confirm" disabled={busy.value}>
              {busy.value ? 'Deleting…' : 'Delete unprocessed'}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}

/** The seed's top-right buttons: Stop/Start on demand, and Delete (unprocessed rows become CANCELLED). */
export function DialerActions({ monitor }: { monitor: DialerMonitor }) {
  const busy = useSignal(false);
  const asking = useSignal(false);
  async function toggle() {
    busy.value = true;
    await setDialerRunning(monitor.dialer.id, !monitor.running);
    busy.value = false;
  }
  return (
    <div class="row dialer-actions">
      {monitor.running ? (
        <button type="button" data-testid="dialer-stop" disabled={busy.value} onClick={() => void toggle()}>
          ■ Stop
        </button>
      ) : (
        <button type="button" class="primary" data-testid="dialer-start" disabled={busy.value} onClick={() => void toggle()}>
          ▶ Start
        </button>
      )}
      <button type="button" class="danger" data-testid="dialer-cancel" onClick={() => (asking.value = true)}>
        Delete
      </button>
      {asking.value && <CancelDialog monitor={monitor} onClose={() => (asking.value = false)} />}
    </div>
  );
}
