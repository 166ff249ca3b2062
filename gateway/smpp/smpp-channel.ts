import type { ChannelFactory } from '../channel.ts';

/** Placeholder until the smpp adapter is built. */
export const createSmppChannel: ChannelFactory = (row) => {
  throw new Error(`The smpp adapter is not built yet (channel ${row.id})`);
};
