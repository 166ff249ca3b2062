import { z } from 'zod';

/** A WhatsApp Cloud API channel: which number, which Graph API version; the secrets are write-only. */
export const cloudApiSettingsSchema = z.object({
  phoneNumberId: z.string().regex(/^\d{5,20}$/, 'the Phone number ID from the WhatsApp Manager (digits)'),
  graphApiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/, 'a Graph API version such as v23.0')
    .default('v23.0'),
  graphApiBaseUrl: z.url().default('https://graph.facebook.com'),
});

export const cloudApiSecretsSchema = z.object({
  accessToken: z.string({ error: 'required: a system user access token' }).min(20, 'a system user access token with whatsapp_business_messaging'),
  appSecret: z.string({ error: 'required: the App Secret' }).min(16, 'the App Secret, which signs webhooks (X-Hub-Signature-256)'),
  verifyToken: z.string({ error: 'required: the Verify Token' }).min(8, 'the Verify Token you type in the webhook settings'),
});

/** Free-form messages only within 24 hours of the customer's last message; templates otherwise. */
export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;
