import { useSignal } from '@preact/signals';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { SimulatorPhone } from '../../../../contract/simulator.ts';
import { formatMessageTime } from '../format-time.ts';
import { bubbles, sendText, typing, type PhoneBubble } from './phone-messages.ts';
import { forgetPhone } from './phone-session.ts';
import { connectPhone, link, type PhoneLink } from './phone-socket.ts';

const linkLabels: Record<PhoneLink, string> = {
  connecting: 'connecting…',
  online: 'online',
  reconnecting: 'reconnecting…',
  refused: 'not connected: start again with "Change number"',
};

function Tick({ bubble }: { bubble: PhoneBubble }) {
  if (bubble.state === 'sending')
    return (
      <span class="tick" title="Sending">
        🕓
      </span>
    );
  if (bubble.state === 'sent')
    return (
      <span class="tick" title="Accepted by the platform">
        ✓
      </span>
    );
  if (bubble.state === 'failed')
    return (
      <span class="tick failed" title={bubble.error}>
        ! {bubble.error}
      </span>
    );
  return null;
}

/** The chat screen of the phone: header with number and channel, bubbles, and the typing bar. */
export function PhoneChat({ phone }: { phone: SimulatorPhone }) {
  const draft = useSignal('');
  const list = useRef<HTMLOListElement>(null);
  const messages = bubbles.value;

  useEffect(() => connectPhone(phone), [phone.token]);

  useLayoutEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [messages.length, typing.value]);

  function send() {
    const text = draft.value.trim();
    if (text === '') return;
    draft.value = '';
    void sendText(phone, text);
  }

  return (
    <div class="phone-chat">
      <header class="phone-header" data-testid="sim-header">
        <div>
          <div class="phone-number" data-testid="sim-current-number">
            {phone.number}
          </div>
          <div class={`phone-link link-${link.value}`}>
            {phone.channelName} · {linkLabels[link.value]}
          </div>
        </div>
        <button type="button" class="link-button" data-testid="sim-change-number" onClick={forgetPhone}>
          Change number
        </button>
      </header>
      <ol class="sim-messages" data-testid="sim-messages" ref={list}>
        {messages.map((bubble) => (
          <li
            key={`${bubble.direction}-${bubble.id}`}
            class={`sim-message sim-${bubble.direction} state-${bubble.state}`}
            data-testid="sim-message"
            data-direction={bubble.direction}
            data-state={bubble.state}
          >
            <span class="sim-text">{bubble.text}</span>
            <span class="sim-meta">
              {formatMessageTime(bubble.at)} {bubble.direction === 'out' && <Tick bubble={bubble} />}
            </span>
          </li>
        ))}
      </ol>
      {typing.value && (
        <div class="sim-typing" data-testid="sim-typing" aria-live="polite">
          typing…
        </div>
      )}
      <form
        class="phone-input"
        onSubmit={(event) => {
          event.preventDefault();
          send();
        }}
      >
        <input
          // biome-ignore lint/a11y/noAutofocus: the first field of a screen that is only this form, focused as it always was (issue 14 changes no behaviour)
          autoFocus
          data-testid="sim-input"
          placeholder="Text message"
          aria-label="Message"
          value={draft.value}
          onInput={(event) => (draft.value = event.currentTarget.value)}
        />
        <button type="submit" data-testid="sim-send" aria-label="Send">
          ➤
        </button>
      </form>
    </div>
  );
}
