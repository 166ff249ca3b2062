import { useEffect } from 'preact/hooks';
import { PhoneChat } from './phone-chat.tsx';
import { loadChannels, phone } from './phone-session.ts';
import { PhoneSetup } from './phone-setup.tsx';

/** The phone simulator: a customer's handset talking to the platform through a simulator channel. */
export function SimulatorApp() {
  const current = phone.value;

  useEffect(() => {
    void loadChannels();
  }, []);

  return (
    <div class="stage">
      <div class="phone" data-testid="sim-phone">
        <div class="phone-notch" aria-hidden="true" />
        {current ? <PhoneChat key={current.token} phone={current} /> : <PhoneSetup />}
      </div>
      <p class="stage-note">Phone simulator · messages typed here reach the platform as a customer would send them.</p>
    </div>
  );
}
