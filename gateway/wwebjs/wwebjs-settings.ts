import { z } from 'zod';
import type { ChannelSchemas } from '../channel-schemas.ts';

/**
 * A WhatsApp Web channel driven through whatsapp-web.js. Pairing is by QR in the console; the
 * session lives in PostgreSQL, so there are no secrets to type. The browser is CHROMIUM_PATH (env).
 */
export const wwebjsSettingsSchema = z
  .object({
    /** Messages written in groups the number belongs to become conversations with their author. */
    acceptGroups: z.boolean().default(false),
    /**
     * How often the live browser profile (megabytes) is copied to PostgreSQL, for a node that dies
     * without stopping; a clean stop always stores it. RemoteAuth allows 1 minute at least.
     */
    sessionBackupMinutes: z.number().int().min(1, 'at least 1 minute').max(1440).default(15),
    /** The name the phone shows under Linked devices. */
    deviceName: z.string().trim().min(1).max(40).optional(),
  })
  .strict();

export type WwebjsSettings = z.infer<typeof wwebjsSettingsSchema>;

export const wwebjsChannelSchemas: ChannelSchemas = {
  settings: wwebjsSettingsSchema,
  secrets: z.object({}).strict(),
  webhooks: false,
  // An unofficial client: numbers that send fast get banned. One message a second unless the channel says otherwise.
  defaultSendsPerSecond: 1,
};
