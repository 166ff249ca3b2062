import type { ChannelFactory } from '../channel.ts';

/** Placeholder until the baileys adapter is built. */
export const createBaileysChannel: ChannelFactory = (row) => {
  throw new Error(`The baileys adapter is not built yet (channel ${row.id})`);
};
