import type { ChannelFactory } from '../channel.ts';

/** Placeholder until the dinstar adapter is built. */
export const createDinstarChannel: ChannelFactory = (row) => {
  throw new Error(`The dinstar adapter is not built yet (channel ${row.id})`);
};
