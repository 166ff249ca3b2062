import { z } from 'zod';
import type { ChannelSchemas } from '../channel-schemas.ts';

/** Placeholder until the gsm_modem adapter is built: its settings and secrets, validated by the channel admin API. */
export const modemChannelSchemas: ChannelSchemas = {
  settings: z.object({}).strict(),
  secrets: z.object({}).strict(),
};
