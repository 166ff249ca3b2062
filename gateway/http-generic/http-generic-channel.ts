import type { ChannelFactory } from '../channel.ts';

/** Placeholder until the http_generic adapter is built. */
export const createHttpGenericChannel: ChannelFactory = (row) => {
  throw new Error(`The http_generic adapter is not built yet (channel ${row.id})`);
};
