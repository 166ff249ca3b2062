import { channelId, channels, channelsError, numberDraft, startError, starting, startPhone } from './phone-session.ts';

/** First screen of the phone: pick a channel and the customer's number. */
export function PhoneSetup() {
  const list = channels.value;
  const error = startError.value ?? channelsError.value;

  return (
    <form
      class="phone-setup"
      onSubmit={(event) => {
        event.preventDefault();
        void startPhone(numberDraft.value.trim());
      }}
    >
      <h1>New customer</h1>
      <p class="hint">Choose the number this phone uses, then chat with the platform.</p>
      {list.length > 1 && (
        <label>
          Channel
          <select data-testid="sim-channel" value={channelId.value ?? ''} onChange={(event) => (channelId.value = Number(event.currentTarget.value))}>
            {list.map((channel) => (
              <option key={channel.id} value={channel.id}>
                {channel.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {list.length === 1 && <p class="hint">Channel: {list[0]?.name}</p>}
      <label>
        Customer's number
        <input
          // biome-ignore lint/a11y/noAutofocus: the first field of a screen that is only this form, focused as it always was (issue 14 changes no behaviour)
          autoFocus
          type="tel"
          data-testid="sim-number"
          placeholder="+59899123456"
          autocomplete="tel"
          value={numberDraft.value}
          onInput={(event) => (numberDraft.value = event.currentTarget.value)}
        />
      </label>
      {error && (
        <p class="sim-error" data-testid="sim-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" data-testid="sim-start" disabled={starting.value}>
        {starting.value ? 'Starting…' : 'Start'}
      </button>
    </form>
  );
}
