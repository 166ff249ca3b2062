import { z } from 'zod';
import type { ChannelSchemas } from '../channel-schemas.ts';

/**
 * A WhatsApp Web channel (Baileys): paired by scanning a QR, so it has no secrets to type; its
 * credentials live in `channel_auth_state`, written by the session itself.
 */
export const baileysSettingsSchema = z
  .object({
    /** The name shown on the phone under Linked devices. */
    deviceName: z.string().trim().min(1).max(40).default('Omnichat'),
    /**
     * Group messages reach the platform as a conversation with the group (replies go to the group).
     * Off by default: a contact center talks to people, and groups are noisy.
     */
    receiveGroups: z.boolean().default(false),
    /**
     * The WhatsApp Web version to announce, `major.minor.patch`; absent, the one Baileys ships with.
     * Set it when WhatsApp refuses the connection (close code 405) because that version got too old.
     */
    waWebVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, 'a WhatsApp Web version such as 2.3000.1027934701')
      .optional(),
  })
  .strict();

export type BaileysSettings = z.infer<typeof baileysSettingsSchema>;

export const baileysChannelSchemas: ChannelSchemas = {
  settings: baileysSettingsSchema,
  secrets: z.object({}).strict(),
  webhooks: false,
  // WhatsApp bans numbers that send in bulk from WhatsApp Web: one message every two seconds unless
  // the channel sets its own pace. No 24-hour window: that rule is the Business Platform's, not Web's.
  defaultSendsPerSecond: 0.5,
};
