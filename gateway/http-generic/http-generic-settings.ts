import { z } from 'zod';
import type { ChannelSchemas } from '../channel-schemas.ts';

/** Placeholder until the http_generic adapter is built: its settings and secrets, validated by the channel admin API. */
export const httpGenericChannelSchemas: ChannelSchemas = {
  settings: z.object({}).strict(),
  secrets: z.object({}).strict(),
};
