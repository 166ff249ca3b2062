import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ChannelType } from '../db/schema/index.ts';
import { twilioSecretsSchema, twilioSettingsSchema } from './twilio/twilio-settings.ts';
import { cloudApiSecretsSchema, cloudApiSettingsSchema } from './whatsapp-cloud/cloud-api-settings.ts';

type ChannelSchemas = {
  settings: z.ZodType<Record<string, unknown>>;
  secrets: z.ZodType<Record<string, string>>;
  /** WhatsApp's 24-hour customer-service window applies: free-form text only within it. */
  customerServiceWindow?: true;
  /** Secrets the platform makes itself when a channel is created (never typed by a person). */
  generatedSecrets?: () => Record<string, string>;
};

/** Each channel type's own validation of its settings and secrets; a type listed here can be created. */
export const CHANNEL_SCHEMAS: Partial<Record<ChannelType, ChannelSchemas>> = {
  simulator: {
    settings: z.object({}).strict(),
    secrets: z.object({ signingKey: z.string().min(16) }),
    generatedSecrets: () => ({ signingKey: randomBytes(32).toString('base64url') }),
  },
  twilio_sms: { settings: twilioSettingsSchema, secrets: twilioSecretsSchema },
  twilio_whatsapp: { settings: twilioSettingsSchema, secrets: twilioSecretsSchema, customerServiceWindow: true },
  whatsapp_cloud: { settings: cloudApiSettingsSchema, secrets: cloudApiSecretsSchema, customerServiceWindow: true },
};
