import { useSignal } from '@preact/signals';
import { useRef } from 'preact/hooks';
import type { ChannelView } from '../../../../../../contract/channels.ts';
import { copyText } from '../../shared/copy-text.ts';

/** Where the provider must call us, with a copy button; the simulator's phone page for the simulator. */
export function WebhookUrl({ channel }: { channel: ChannelView }) {
  const input = useRef<HTMLInputElement>(null);
  const copied = useSignal<'copied' | 'failed' | null>(null);
  // Without PUBLIC_URL the server cannot know its public address: this console's own is the best guess.
  const url = channel.webhookUrl ?? `${location.origin}/webhooks/${channel.id}`;

  async function copy() {
    copied.value = (await copyText(url, input.current)) ? 'copied' : 'failed';
    setTimeout(() => (copied.value = null), 2500);
  }

  return (
    <section class="card" aria-labelledby="webhook-title">
      <div class="card-title">
        <h3 id="webhook-title">Webhook URL</h3>
      </div>
      <p class="muted small">Give this address to the provider for incoming messages and delivery reports.</p>
      <div class="row">
        <input
          ref={input}
          class="mono grow"
          readOnly
          aria-label="Webhook URL"
          data-testid="channel-webhook-url"
          value={url}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" data-testid="copy-webhook" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p class="small copy-note" role="status" aria-live="polite" data-testid="copy-status">
        {copied.value === 'copied' && 'Copied to the clipboard.'}
        {copied.value === 'failed' && 'Could not copy: select the address and press Ctrl+C.'}
      </p>
      {channel.webhookUrl === null && (
        <p class="muted small">PUBLIC_URL is not set, so this is the console’s own address: set PUBLIC_URL to the one providers reach.</p>
      )}
      {channel.type === 'simulator' && (
        <p class="small">
          The simulator needs no provider: open the{' '}
          <a href="/simulator" target="_blank" rel="noopener">
            phone simulator
          </a>{' '}
          to write to this channel.
        </p>
      )}
    </section>
  );
}
