import type { ChannelFactory } from '../channel.ts';

/** Placeholder until the wwebjs adapter is built. */
export const createWwebjsChannel: ChannelFactory = (row) => {
  throw new Error(`The wwebjs adapter is not built yet (channel ${row.id})`);
};
