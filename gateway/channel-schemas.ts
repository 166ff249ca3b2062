import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ChannelType } from '../db/schema/index.ts';
import { dinstarChannelSchemas } from './dinstar/dinstar-settings.ts';
import { modemChannelSchemas } from './gsm-modem/modem-settings.ts';
import { smppChannelSchemas } from './smpp/smpp-settings.ts';
import { baileysChannelSchemas } from './baileys/baileys-settings.ts';
import { wwebjsChannelSchemas } from './wwebjs/wwebjs-settings.ts';
import { httpGenericChannelSchemas } from './http-generic/http-generic-settings.ts';
import { twilioSecretsSchema, twilioSettingsSchema } from './twilio/twilio-settings.ts';
import { cloudApiSecretsSchema, cloudApiSettingsSchema } from './whatsapp-cloud/cloud-api-settings.ts';

export type ChannelSchemas = {
  settings: z.ZodType<Record<string, unknown>>;
  secrets: z.ZodType<Partial<Record<string, string>>>;
  /** WhatsApp's 24-hour customer-service window applies: free-form text only within it. */
  customerServiceWindow?: true;
  /** Checks that need settings and secrets together (a template naming a secret); issues name the field. */
  check?(settings: Record<string, unknown>, secrets: Partial<Record<string, string>>): { path: string; message: string }[];
  /** False for channels that connect out (a socket, a serial line, a bind): nothing calls their webhook. */
  webhooks?: false;
  /** Sends per second when the channel sets none; absent means unpaced (the provider queues). */
  defaultSendsPerSecond?: number;
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
  // Meta's default throughput per business phone number is 80 messages per second.
  whatsapp_cloud: { settings: cloudApiSettingsSchema, secrets: cloudApiSecretsSchema, customerServiceWindow: true, defaultSendsPerSecond: 80 },
  dinstar: dinstarChannelSchemas,
  gsm_modem: modemChannelSchemas,
  smpp: smppChannelSchemas,
  baileys: baileysChannelSchemas,
  wwebjs: wwebjsChannelSchemas,
  http_generic: httpGenericChannelSchemas,
};
