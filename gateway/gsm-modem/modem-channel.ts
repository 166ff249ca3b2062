import type { BindingInterface } from '@serialport/bindings-cpp';
import type { Channel, ChannelDeps, ChannelRow } from '../channel.ts';
import { DEFAULT_TIMING, type ModemTiming } from './modem-link.ts';
import { createModemPool } from './modem-pool.ts';
import { modemSecretsSchema, modemSettingsSchema } from './modem-settings.ts';
import { systemSerialBinding } from './serial-binding.ts';

/**
 * How tests reach a fake modem: the serial binding to open ports with (default: the real ports) and
 * shorter timings. The platform's registry never passes them.
 */
export type ModemChannelOptions = { binding?: BindingInterface; timing?: Partial<ModemTiming> };

/**
 * GSM modems / USB dongles driven by AT commands (3GPP TS 27.005) over serial ports: a session holds
 * the channel's pool of modems on one node; inbound SMS and delivery reports arrive over it, and
 * sends run there. Nothing arrives by webhook, so none is ever verified.
 */
export function createModemChannel(row: ChannelRow, deps: ChannelDeps, options: ModemChannelOptions = {}): Channel {
  const settings = modemSettingsSchema.parse(row.settings);
  const secrets = modemSecretsSchema.parse(row.secrets);
  const pool = createModemPool({
    channelId: row.id,
    defaultCountry: row.defaultCountry,
    settings,
    secrets,
    binding: options.binding ?? systemSerialBinding(),
    timing: { ...DEFAULT_TIMING, ...options.timing },
    deps,
  });
  return {
    type: 'gsm_modem',
    verify: () => false,
    normalize: () => ({ messages: [], statuses: [] }),
    send: (message) => pool.send(message),
    session: { carriesSends: true, start: () => pool.start(), stop: () => pool.stop() },
  };
}
