import type { ChannelType } from '../db/schema/index.ts';
import type { Channel, ChannelDeps, ChannelFactory, ChannelRow } from './channel.ts';
import { createDinstarChannel } from './dinstar/dinstar-channel.ts';
import { createModemChannel } from './gsm-modem/modem-channel.ts';
import { createSmppChannel } from './smpp/smpp-channel.ts';
import { createBaileysChannel } from './baileys/baileys-channel.ts';
import { createWwebjsChannel } from './wwebjs/wwebjs-channel.ts';
import { createHttpGenericChannel } from './http-generic/http-generic-channel.ts';
import { createSimulatorChannel } from './simulator/simulator-channel.ts';
import { createTwilioChannel } from './twilio/twilio-channel.ts';
import { createCloudApiChannel } from './whatsapp-cloud/cloud-api-channel.ts';
import { storable } from '../kernel/storable-text.ts';

/** Adapters by channel type; a new provider adds its folder and one line here. */
const FACTORIES: Partial<Record<ChannelType, ChannelFactory>> = {
  simulator: createSimulatorChannel,
  twilio_sms: createTwilioChannel,
  twilio_whatsapp: createTwilioChannel,
  whatsapp_cloud: createCloudApiChannel,
  dinstar: createDinstarChannel,
  gsm_modem: createModemChannel,
  smpp: createSmppChannel,
  baileys: createBaileysChannel,
  wwebjs: createWwebjsChannel,
  http_generic: createHttpGenericChannel,
};

export type ChannelRegistry = {
  /** The adapter for a channel row, rebuilt when the row's settings changed. */
  get(row: ChannelRow): Channel;
  supports(type: ChannelType): boolean;
};

export function createChannelRegistry(deps: ChannelDeps): ChannelRegistry {
  const cache = new Map<number, { version: number; channel: Channel }>();
  return {
    supports: (type) => FACTORIES[type] !== undefined,
    get(row) {
      const version = row.updatedAt.getTime();
      const cached = cache.get(row.id);
      if (cached && cached.version === version) return cached.channel;
      const factory = FACTORIES[row.type];
      if (!factory) throw new Error(`No adapter for channel type ${row.type}`);
      const channel = factory(row, deps);
      // What a provider answers a send (its message id, its error text) is stored as it comes: the
      // one place every send passes makes it storable, so a NUL there never fails the write (and a
      // send that went out is never retried for it).
      const send = channel.send.bind(channel);
      channel.send = (message) => send(message).then(storable);
      cache.set(row.id, { version, channel });
      return channel;
    },
  };
}
