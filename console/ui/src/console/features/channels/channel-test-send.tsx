import { useSignal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import type { ChannelView, TestSendResult } from '../../../../../../contract/channels.ts';
import { errorMessage } from '../../../api-client.ts';
import { testSend } from './channels-state.ts';

function ResultLine({ result }: { result: TestSendResult }) {
  if (result.status === 'failed') {
    const code = result.error?.code;
    return (
      <p class="test-result test-failed" data-testid="test-send-result" data-status="failed" role="status">
        <strong>Failed</strong>
        {code ? ` (${code})` : ''}: {result.error?.message ?? 'the provider gave no reason'}
      </p>
    );
  }
  if (result.status === 'queued') {
    return (
      <p class="test-result test-queued" data-testid="test-send-result" data-status="queued" role="status">
        <strong>Still queued</strong>: the provider has not answered yet (a session down, a retry pending). It goes out when it can.
      </p>
    );
  }
  return (
    <p class="test-result test-sent" data-testid="test-send-result" data-status={result.status} role="status">
      <strong>Sent</strong>
      {result.providerMessageId && (
        <>
          {' '}
          · provider id <code data-testid="test-send-provider-id">{result.providerMessageId}</code>
        </>
      )}
    </p>
  );
}

/** Sends one message through the channel (through the outbox, like any message) and says what became of it. */
export function TestSend({ channel }: { channel: ChannelView }) {
  const to = useSignal('');
  const text = useSignal('Test message from Omnichat');
  const busy = useSignal(false);
  const result = useSignal<TestSendResult | null>(null);
  const error = useSignal<string | null>(null);
  const p = `test-send-${channel.id}`;

  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value) return;
    busy.value = true;
    result.value = null;
    error.value = null;
    try {
      result.value = await testSend(channel.id, to.value.trim(), text.value.trim());
    } catch (failure) {
      error.value = errorMessage(failure);
    } finally {
      busy.value = false;
    }
  }

  return (
    <form class="card" aria-labelledby={`${p}-title`} data-testid="test-send" onSubmit={submit}>
      <div class="card-title">
        <h3 id={`${p}-title`}>Test send</h3>
      </div>
      {!channel.enabled && <p class="muted small">Enable the channel to send through it.</p>}
      <div class="field-grid test-send-grid">
        <label class="field" for={`${p}-to`}>
          To
          <input
            id={`${p}-to`}
            data-testid="test-send-to"
            required
            minLength={3}
            maxLength={32}
            inputMode="tel"
            placeholder="e.g. 099 123 456"
            aria-describedby={`${p}-to-hint`}
            value={to.value}
            onInput={(e) => (to.value = e.currentTarget.value)}
          />
        </label>
        <label class="field" for={`${p}-text`}>
          Text
          <input
            id={`${p}-text`}
            data-testid="test-send-text"
            required
            maxLength={1600}
            value={text.value}
            onInput={(e) => (text.value = e.currentTarget.value)}
          />
        </label>
      </div>
      <div class="form-actions">
        <span class="muted small grow" id={`${p}-to-hint`}>
          National numbers are read as {channel.defaultCountry}.
        </span>
        <button type="submit" class="primary" data-testid="test-send-submit" disabled={busy.value || !channel.enabled}>
          {busy.value ? 'Sending… (waits up to 20 s)' : 'Send test'}
        </button>
      </div>
      {result.value && <ResultLine result={result.value} />}
      {error.value && (
        <p class="test-result test-failed" data-testid="test-send-result" data-status="error" role="alert">
          {error.value}
        </p>
      )}
    </form>
  );
}
