import type { ChannelFactory } from '../channel.ts';

/** Placeholder until the gsm_modem adapter is built. */
export const createModemChannel: ChannelFactory = (row) => {
  throw new Error(`The gsm_modem adapter is not built yet (channel ${row.id})`);
};
